"""The SNS operation table: action name -> handler."""

from __future__ import annotations

from server.services.sns import permission_operations as permissions
from server.services.sns import platform_operations as push
from server.services.sns import publish_operations as publishing
from server.services.sns import sms_operations as sms
from server.services.sns import subscription_operations as subscriptions
from server.services.sns import topic_operations as topics
from server.wire import Operation

OPERATIONS: dict[str, Operation] = {
    "CreateTopic": topics.create_topic,
    "DeleteTopic": topics.delete_topic,
    "ListTopics": topics.list_topics,
    "GetTopicAttributes": topics.get_topic_attributes,
    "SetTopicAttributes": topics.set_topic_attributes,
    "TagResource": topics.tag_resource,
    "UntagResource": topics.untag_resource,
    "ListTagsForResource": topics.list_tags_for_resource,
    "Subscribe": subscriptions.subscribe,
    "ConfirmSubscription": subscriptions.confirm_subscription,
    "Unsubscribe": subscriptions.unsubscribe,
    "ListSubscriptions": subscriptions.list_subscriptions,
    "ListSubscriptionsByTopic": subscriptions.list_subscriptions_by_topic,
    "GetSubscriptionAttributes": subscriptions.get_subscription_attributes,
    "SetSubscriptionAttributes": subscriptions.set_subscription_attributes,
    "Publish": publishing.publish,
    "PublishBatch": publishing.publish_batch,
    "GetSigningCertificate": publishing.get_signing_certificate,
    "AddPermission": permissions.add_permission,
    "RemovePermission": permissions.remove_permission,
    "GetDataProtectionPolicy": permissions.get_data_protection_policy,
    "PutDataProtectionPolicy": permissions.put_data_protection_policy,
    "SetSMSAttributes": sms.set_sms_attributes,
    "GetSMSAttributes": sms.get_sms_attributes,
    "CheckIfPhoneNumberIsOptedOut": sms.check_if_phone_number_is_opted_out,
    "ListPhoneNumbersOptedOut": sms.list_phone_numbers_opted_out,
    "OptInPhoneNumber": sms.opt_in_phone_number,
    "GetSMSSandboxAccountStatus": sms.get_sms_sandbox_account_status,
    "CreateSMSSandboxPhoneNumber": sms.create_sms_sandbox_phone_number,
    "VerifySMSSandboxPhoneNumber": sms.verify_sms_sandbox_phone_number,
    "DeleteSMSSandboxPhoneNumber": sms.delete_sms_sandbox_phone_number,
    "ListSMSSandboxPhoneNumbers": sms.list_sms_sandbox_phone_numbers,
    "ListOriginationNumbers": sms.list_origination_numbers,
    "CreatePlatformApplication": push.create_platform_application,
    "GetPlatformApplicationAttributes": push.get_platform_application_attributes,
    "SetPlatformApplicationAttributes": push.set_platform_application_attributes,
    "DeletePlatformApplication": push.delete_platform_application,
    "ListPlatformApplications": push.list_platform_applications,
    "CreatePlatformEndpoint": push.create_platform_endpoint,
    "GetEndpointAttributes": push.get_endpoint_attributes,
    "SetEndpointAttributes": push.set_endpoint_attributes,
    "DeleteEndpoint": push.delete_endpoint,
    "ListEndpointsByPlatformApplication": push.list_endpoints_by_platform_application,
}
