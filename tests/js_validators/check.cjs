// Runs the two common npm SNS validators on one message (a JSON file) and prints what each said.
// CERT_HOST_PATTERN: the host (with port) sns-validator is told to trust instead of sns.<region>.amazonaws.com.
const fs = require('fs');
const MessageValidator = require('sns-validator');
const PayloadValidator = require('sns-payload-validator');

const message = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = {};
const said = (err) => (err ? String(err.message) : 'valid');

new MessageValidator().validate(message, (asShipped) => {
  results['sns-validator'] = said(asShipped);
  new MessageValidator(new RegExp(process.env.CERT_HOST_PATTERN)).validate(message, (local) => {
    results['sns-validator with a local host pattern'] = said(local);
    new PayloadValidator()
      .validate(message)
      .then(() => { results['sns-payload-validator'] = 'valid'; })
      .catch((err) => { results['sns-payload-validator'] = said(err); })
      .finally(() => console.log(JSON.stringify(results)));
  });
});
