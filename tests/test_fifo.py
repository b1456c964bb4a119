"""FIFO queues over both SQS protocols: naming, attributes, groups, ordering, deduplication, attempts."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.harness import ServerProcess

FIFO_ATTRIBUTES = {"ContentBasedDeduplication", "DeduplicationScope", "FifoQueue", "FifoThroughputLimit"}


@pytest.fixture
def make_fifo(sqs: BaseClient, unique_name: Callable[[str], str]) -> Callable[..., str]:
    def make(**attributes: str) -> str:
        name = unique_name("f") + ".fifo"
        url: str = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})[
            "QueueUrl"
        ]
        return url

    return make


@pytest.fixture
def fifo_url(make_fifo: Callable[..., str]) -> str:
    return make_fifo(ContentBasedDeduplication="true")


def receive(sqs: BaseClient, url: str, count: int = 10, **kwargs: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=count, AttributeNames=["All"], **kwargs
    ).get("Messages", [])
    return messages


def bodies(messages: list[dict[str, Any]]) -> list[str]:
    return [m["Body"] for m in messages]


def send(sqs: BaseClient, url: str, body: str, group: str = "g", **kwargs: Any) -> dict[str, Any]:
    reply: dict[str, Any] = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)
    return reply


# --- queues -------------------------------------------------------------------------------------------------


def test_fifo_queue_has_fifo_attributes_with_defaults(sqs: BaseClient, make_fifo: Callable[..., str]) -> None:
    attributes = sqs.get_queue_attributes(QueueUrl=make_fifo(), AttributeNames=["All"])["Attributes"]
    assert set(attributes) >= FIFO_ATTRIBUTES
    assert attributes["FifoQueue"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    assert attributes["DeduplicationScope"] == "queue"
    assert attributes["FifoThroughputLimit"] == "perQueue"
    assert attributes["QueueArn"].endswith(".fifo")


def test_standard_queue_has_no_fifo_attributes(sqs: BaseClient, queue_url: str) -> None:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert not FIFO_ATTRIBUTES & set(attributes)


@pytest.mark.parametrize(
    ("name", "attributes"),
    [
        ("plain-name", {"FifoQueue": "true"}),
        ("no-flag.fifo", {}),
        ("x" * 76 + ".fifo", {"FifoQueue": "true"}),
        ("bad!name.fifo", {"FifoQueue": "true"}),
    ],
)
def test_fifo_naming_rules(sqs: BaseClient, name: str, attributes: dict[str, str]) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name, Attributes=attributes)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_longest_fifo_name_is_80_characters(sqs: BaseClient, protocol: str) -> None:
    name = protocol[0] * 75 + ".fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    assert url.endswith("/" + name)
    sqs.delete_queue(QueueUrl=url)


def test_create_fifo_again_with_same_attributes_returns_it(
    sqs: BaseClient, make_fifo: Callable[..., str]
) -> None:
    url = make_fifo(ContentBasedDeduplication="true")
    name = url.rsplit("/", 1)[1]
    again = sqs.create_queue(
        QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )
    assert again["QueueUrl"] == url
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(
            QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
        )
    assert error_of(excinfo)["Code"] == "QueueAlreadyExists"


@pytest.mark.parametrize(
    ("attributes", "code", "message"),
    [
        ({"FifoQueue": "true"}, "InvalidAttributeName", "Unknown Attribute FifoQueue."),
        ({"FifoQueue": "false"}, "InvalidAttributeName", "Unknown Attribute FifoQueue."),
        (
            {"ContentBasedDeduplication": "true"},
            "InvalidAttributeName",
            "Unknown Attribute ContentBasedDeduplication.",
        ),
        (
            {"DeduplicationScope": "queue"},
            "InvalidAttributeName",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            {"FifoThroughputLimit": "perQueue"},
            "InvalidAttributeName",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
    ],
)
def test_fifo_attributes_on_standard_queue_are_refused(
    sqs: BaseClient,
    queue_url: str,
    unique_name: Callable[[str], str],
    attributes: dict[str, str],
    code: str,
    message: str,
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes=attributes)
    assert (error_of(excinfo)["Code"], error_of(excinfo)["Message"]) == (code, message)
    if attributes == {"FifoQueue": "true"}:
        return  # at creation this names a FIFO queue, and the name's missing .fifo is the error
    name = unique_name("std")
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "1", **attributes})
    assert (error_of(excinfo)["Code"], error_of(excinfo)["Message"]) == (code, message)
    assert not any(
        url.endswith("/" + name) for url in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
    )


@pytest.mark.parametrize("name", sorted(FIFO_ATTRIBUTES))
def test_standard_queue_does_not_know_fifo_attribute_names(
    sqs: BaseClient, queue_url: str, make_fifo: Callable[..., str], name: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["VisibilityTimeout", name])
    assert (error_of(excinfo)["Code"], error_of(excinfo)["Message"]) == (
        "InvalidAttributeName",
        f"Unknown Attribute {name}.",
    )
    assert name in sqs.get_queue_attributes(QueueUrl=make_fifo(), AttributeNames=[name])["Attributes"]


def test_queue_type_cannot_change(sqs: BaseClient, make_fifo: Callable[..., str]) -> None:
    url = make_fifo()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert error_of(excinfo)["Code"] == "InvalidAttributeValue"
    assert "Modifying queue type is not supported." in str(error_of(excinfo)["Message"])


def test_high_throughput_mode_and_its_rule(sqs: BaseClient, make_fifo: Callable[..., str]) -> None:
    url = make_fifo()
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoThroughputLimit": "perMessageGroupId"})
    assert error_of(excinfo)["Code"] == "InvalidAttributeValue"
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"},
    )
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["DeduplicationScope"], attributes["FifoThroughputLimit"]) == (
        "messageGroup",
        "perMessageGroupId",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "everywhere"})
    assert error_of(excinfo)["Code"] == "InvalidAttributeValue"


# --- sending ------------------------------------------------------------------------------------------------


def test_group_id_is_required(sqs: BaseClient, fifo_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo_url, MessageBody="m")
    assert error_of(excinfo)["Code"] == "MissingParameter"
    assert error_of(excinfo)["Message"] == "The request must contain the parameter MessageGroupId."


def test_dedup_id_is_required_without_content_based_deduplication(
    sqs: BaseClient, make_fifo: Callable[..., str]
) -> None:
    url = make_fifo()
    with pytest.raises(ClientError) as excinfo:
        send(sqs, url, "m")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert "ContentBasedDeduplication enabled or MessageDeduplicationId provided" in str(
        error_of(excinfo)["Message"]
    )
    assert send(sqs, url, "m", MessageDeduplicationId="d1")["MessageId"]


def test_per_message_delay_is_refused_but_zero_is_fine(sqs: BaseClient, fifo_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo_url, "m", DelaySeconds=2)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert error_of(excinfo)["Message"] == (
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid"
        " for this queue type."
    )
    send(sqs, fifo_url, "m", DelaySeconds=0)
    assert bodies(receive(sqs, fifo_url)) == ["m"]


def test_queue_delay_applies_to_fifo_messages(
    sqs: BaseClient, make_fifo: Callable[..., str], server: ServerProcess
) -> None:
    url = make_fifo(ContentBasedDeduplication="true", DelaySeconds="30")
    send(sqs, url, "later")
    assert receive(sqs, url) == []
    server.advance(31)
    assert bodies(receive(sqs, url)) == ["later"]


def test_sequence_numbers_increase_and_come_back_on_receive(sqs: BaseClient, fifo_url: str) -> None:
    sent = [send(sqs, fifo_url, f"m{i}", group=f"g{i % 2}") for i in range(4)]
    numbers = [s["SequenceNumber"] for s in sent]
    assert all(len(n) == 20 and n.isdigit() for n in numbers)
    assert [int(n) for n in numbers] == sorted(int(n) for n in numbers) and len(set(numbers)) == 4
    received = receive(sqs, fifo_url)
    by_body = {m["Body"]: m["Attributes"] for m in received}
    assert {body: a["SequenceNumber"] for body, a in by_body.items()} == {
        f"m{i}": numbers[i] for i in range(4)
    }
    first = by_body["m0"]
    assert first["MessageGroupId"] == "g0"
    assert first["MessageDeduplicationId"] == hashlib.sha256(b"m0").hexdigest()


def test_standard_queue_send_has_no_sequence_number(sqs: BaseClient, queue_url: str) -> None:
    assert "SequenceNumber" not in sqs.send_message(QueueUrl=queue_url, MessageBody="m")


# --- deduplication ------------------------------------------------------------------------------------------


def test_duplicate_is_accepted_with_the_original_message_id(
    sqs: BaseClient, make_fifo: Callable[..., str]
) -> None:
    url = make_fifo()
    first = send(sqs, url, "one", MessageDeduplicationId="same")
    second = send(sqs, url, "two", MessageDeduplicationId="same")
    assert second["MessageId"] == first["MessageId"]
    assert second["SequenceNumber"] == first["SequenceNumber"]
    assert second["MD5OfMessageBody"] == hashlib.md5(b"two").hexdigest()
    assert bodies(receive(sqs, url)) == ["one"]


def test_content_based_deduplication_uses_the_body(sqs: BaseClient, fifo_url: str) -> None:
    first = send(sqs, fifo_url, "same body")
    assert send(sqs, fifo_url, "same body")["MessageId"] == first["MessageId"]
    assert (
        send(sqs, fifo_url, "same body", MessageDeduplicationId="explicit")["MessageId"] != first["MessageId"]
    )
    assert len(receive(sqs, fifo_url)) == 2


def test_dedup_window_is_five_minutes_and_outlives_the_message(
    sqs: BaseClient, fifo_url: str, server: ServerProcess
) -> None:
    first = send(sqs, fifo_url, "m")
    (message,) = receive(sqs, fifo_url)
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])
    server.advance(299)
    assert send(sqs, fifo_url, "m")["MessageId"] == first["MessageId"]
    assert receive(sqs, fifo_url) == []
    server.advance(2)
    assert send(sqs, fifo_url, "m")["MessageId"] != first["MessageId"]
    assert bodies(receive(sqs, fifo_url)) == ["m"]


def test_deduplication_scope(sqs: BaseClient, make_fifo: Callable[..., str]) -> None:
    per_queue = make_fifo()
    send(sqs, per_queue, "a", group="g1", MessageDeduplicationId="d")
    send(sqs, per_queue, "b", group="g2", MessageDeduplicationId="d")
    assert bodies(receive(sqs, per_queue)) == ["a"]

    per_group = make_fifo(DeduplicationScope="messageGroup")
    send(sqs, per_group, "a", group="g1", MessageDeduplicationId="d")
    send(sqs, per_group, "b", group="g2", MessageDeduplicationId="d")
    send(sqs, per_group, "c", group="g2", MessageDeduplicationId="d")
    assert sorted(bodies(receive(sqs, per_group))) == ["a", "b"]


@pytest.mark.parametrize("name", ["MessageGroupId", "MessageDeduplicationId"])
def test_ids_must_be_printable_and_short(sqs: BaseClient, make_fifo: Callable[..., str], name: str) -> None:
    url = make_fifo()
    ids = {"MessageGroupId": "g", "MessageDeduplicationId": "d"}
    for bad in ("x" * 129, "with space", "tab\t"):
        with pytest.raises(ClientError) as excinfo:
            sqs.send_message(QueueUrl=url, MessageBody="m", **(ids | {name: bad}))
        assert error_of(excinfo)["Code"] == "InvalidParameterValue"
        assert f"parameter {name} is invalid" in str(error_of(excinfo)["Message"])


# --- groups and ordering ------------------------------------------------------------------------------------


def test_order_within_a_group_and_group_lock(sqs: BaseClient, fifo_url: str) -> None:
    for i in range(3):
        send(sqs, fifo_url, f"a{i}", group="A")
    send(sqs, fifo_url, "b0", group="B")
    (first,) = receive(sqs, fifo_url, count=1)
    assert first["Body"] == "a0"
    # A is locked while a0 is in flight; B still flows.
    assert bodies(receive(sqs, fifo_url)) == ["b0"]
    assert receive(sqs, fifo_url) == []
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(receive(sqs, fifo_url)) == ["a1", "a2"]


def test_one_receive_returns_a_group_in_order(sqs: BaseClient, fifo_url: str) -> None:
    for i in range(12):
        send(sqs, fifo_url, str(i))
    assert bodies(receive(sqs, fifo_url)) == [str(i) for i in range(10)]
    assert receive(sqs, fifo_url) == []  # the last two wait for the group to unlock


def test_expired_visibility_returns_the_message_to_the_head_of_its_group(
    sqs: BaseClient, fifo_url: str, server: ServerProcess
) -> None:
    for i in range(3):
        send(sqs, fifo_url, f"m{i}")
    assert bodies(receive(sqs, fifo_url, count=1, VisibilityTimeout=10)) == ["m0"]
    server.advance(11)
    again = receive(sqs, fifo_url)
    assert bodies(again) == ["m0", "m1", "m2"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_receive_takes_a_group_as_far_as_it_goes_before_the_next(sqs: BaseClient, fifo_url: str) -> None:
    for body, group in (("g1-m1", "g1"), ("g2-m1", "g2"), ("g1-m2", "g1"), ("g1-m3", "g1")):
        send(sqs, fifo_url, body, group=group)
    assert bodies(receive(sqs, fifo_url)) == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_group_unlocks_when_one_in_flight_message_is_visible_again(
    sqs: BaseClient, fifo_url: str, server: ServerProcess
) -> None:
    for i in range(3):
        send(sqs, fifo_url, f"m{i}")
    send(sqs, fifo_url, "other", group="h")
    m0, _ = receive(sqs, fifo_url, count=2, VisibilityTimeout=30)
    sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=m0["ReceiptHandle"], VisibilityTimeout=0)
    # m0 comes back while m1 stays in flight, and m2 waits behind m1.
    again = receive(sqs, fifo_url)
    assert sorted(bodies(again)) == ["m0", "other"]
    assert receive(sqs, fifo_url) == []
    # A shorter visibility timeout running out unlocks the group the same way.
    m0_again = next(m for m in again if m["Body"] == "m0")
    sqs.change_message_visibility(
        QueueUrl=fifo_url, ReceiptHandle=m0_again["ReceiptHandle"], VisibilityTimeout=5
    )
    server.advance(6)
    assert bodies(receive(sqs, fifo_url, VisibilityTimeout=20)) == ["m0"]
    server.advance(25)  # nothing of the group is in flight any more: it comes back whole, in order
    assert [m["Body"] for m in receive(sqs, fifo_url) if m["Attributes"]["MessageGroupId"] == "g"] == [
        "m0",
        "m1",
        "m2",
    ]


def test_zero_visibility_receives_leave_groups_ready_in_turn(sqs: BaseClient, fifo_url: str) -> None:
    for body, group in (("g1-m1", "g1"), ("g2-m1", "g2"), ("g2-m2", "g2"), ("g3-m1", "g3"), ("g1-m2", "g1")):
        send(sqs, fifo_url, body, group=group)
    assert bodies(receive(sqs, fifo_url, count=3, VisibilityTimeout=0)) == ["g1-m1", "g1-m2", "g2-m1"]
    assert bodies(receive(sqs, fifo_url, VisibilityTimeout=0)) == [
        "g3-m1",
        "g1-m1",
        "g1-m2",
        "g2-m1",
        "g2-m2",
    ]


def test_long_poll_wakes_when_the_group_unlocks(
    sqs: BaseClient, fifo_url: str, server: ServerProcess
) -> None:
    send(sqs, fifo_url, "m0")
    send(sqs, fifo_url, "m1")
    (m0,) = receive(sqs, fifo_url, count=1)
    got: list[list[dict[str, Any]]] = []
    poller = threading.Thread(target=lambda: got.append(receive(sqs, fifo_url, WaitTimeSeconds=20)))
    poller.start()
    server.wait_for_parked_receives(fifo_url)
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=m0["ReceiptHandle"])  # unlocks the group
    poller.join(10)
    assert not poller.is_alive()
    assert bodies(got[0]) == ["m1"]


def test_expired_receipt_handle_cannot_delete(sqs: BaseClient, fifo_url: str, server: ServerProcess) -> None:
    send(sqs, fifo_url, "m")
    (message,) = receive(sqs, fifo_url, VisibilityTimeout=5)
    server.advance(6)
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])
    error = error_of(excinfo)
    assert error["Code"] == "InvalidParameterValue"
    assert str(error["Message"]).endswith("Reason: The receipt handle has expired.")
    (again,) = receive(sqs, fifo_url)
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=again["ReceiptHandle"])
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=again["ReceiptHandle"])  # deleting twice is fine


# --- ReceiveRequestAttemptId --------------------------------------------------------------------------------


def test_retried_receive_attempt_returns_the_same_messages_and_handles(
    sqs: BaseClient, fifo_url: str, server: ServerProcess
) -> None:
    for i in range(3):
        send(sqs, fifo_url, f"m{i}", group=f"g{i}")
    first = receive(sqs, fifo_url, count=2, ReceiveRequestAttemptId="attempt-1", VisibilityTimeout=30)
    server.advance(20)
    retry = receive(sqs, fifo_url, count=2, ReceiveRequestAttemptId="attempt-1", VisibilityTimeout=30)
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in retry] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
    server.advance(20)  # the retry restarted the visibility timeout: still in flight 40 s after the first
    assert bodies(receive(sqs, fifo_url)) == ["m2"]


def test_attempt_after_a_change_is_a_new_receive(sqs: BaseClient, fifo_url: str) -> None:
    send(sqs, fifo_url, "m0", group="a")
    send(sqs, fifo_url, "m1", group="b")
    (first,) = receive(sqs, fifo_url, count=1, ReceiveRequestAttemptId="again")
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(receive(sqs, fifo_url, count=1, ReceiveRequestAttemptId="again")) == ["m1"]


def test_bad_attempt_id_is_refused(sqs: BaseClient, fifo_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        receive(sqs, fifo_url, ReceiveRequestAttemptId="has space")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


# --- batches ------------------------------------------------------------------------------------------------


def test_batch_keeps_entry_order_and_reports_duplicates(sqs: BaseClient, fifo_url: str) -> None:
    entries = [{"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(5)]
    entries.append({"Id": "dup", "MessageBody": "m0", "MessageGroupId": "g"})
    result = sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)
    by_id = {entry["Id"]: entry for entry in result["Successful"]}
    assert by_id["dup"]["MessageId"] == by_id["e0"]["MessageId"]
    sequence = [int(by_id[f"e{i}"]["SequenceNumber"]) for i in range(5)]
    assert sequence == sorted(sequence)
    assert bodies(receive(sqs, fifo_url)) == [f"m{i}" for i in range(5)]


def test_batch_entry_without_group_fails_the_whole_batch(sqs: BaseClient, fifo_url: str) -> None:
    entries = [{"Id": "ok", "MessageBody": "m", "MessageGroupId": "g"}, {"Id": "bad", "MessageBody": "m"}]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert error_of(excinfo)["Message"] == "The request must contain the parameter MessageGroupId."
    assert receive(sqs, fifo_url) == []


def test_batch_entry_with_delay_fails_alone(sqs: BaseClient, fifo_url: str) -> None:
    entries = [
        {"Id": "ok", "MessageBody": "m", "MessageGroupId": "g"},
        {"Id": "late", "MessageBody": "n", "MessageGroupId": "g", "DelaySeconds": 5},
    ]
    result = sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)
    assert [e["Id"] for e in result["Successful"]] == ["ok"]
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in result["Failed"]] == [
        ("late", "InvalidParameterValue", True)
    ]


def test_delete_batch_reports_expired_handles(sqs: BaseClient, fifo_url: str, server: ServerProcess) -> None:
    send(sqs, fifo_url, "a", group="a")
    send(sqs, fifo_url, "b", group="b")
    old = receive(sqs, fifo_url, VisibilityTimeout=5)
    server.advance(6)
    fresh = receive(sqs, fifo_url, count=1)
    entries = [
        {"Id": "old", "ReceiptHandle": old[1]["ReceiptHandle"]},
        {"Id": "new", "ReceiptHandle": fresh[0]["ReceiptHandle"]},
    ]
    result = sqs.delete_message_batch(QueueUrl=fifo_url, Entries=entries)
    assert [e["Id"] for e in result["Successful"]] == ["new"]
    assert [(e["Id"], e["Code"]) for e in result["Failed"]] == [("old", "InvalidParameterValue")]


def test_purge_empties_groups(sqs: BaseClient, fifo_url: str) -> None:
    send(sqs, fifo_url, "a")
    receive(sqs, fifo_url)
    sqs.purge_queue(QueueUrl=fifo_url)
    send(sqs, fifo_url, "b")
    assert bodies(receive(sqs, fifo_url)) == ["b"]


def test_purge_forgets_deduplication_ids(sqs: BaseClient, fifo_url: str) -> None:
    first = send(sqs, fifo_url, "same body")
    assert send(sqs, fifo_url, "same body")["MessageId"] == first["MessageId"]  # a duplicate before
    sqs.purge_queue(QueueUrl=fifo_url)
    again = send(sqs, fifo_url, "same body")
    assert again["MessageId"] != first["MessageId"]
    assert bodies(receive(sqs, fifo_url)) == ["same body"]


def test_expired_message_releases_its_group(
    sqs: BaseClient, make_fifo: Callable[..., str], server: ServerProcess
) -> None:
    url = make_fifo(ContentBasedDeduplication="true", MessageRetentionPeriod="60")
    send(sqs, url, "m0")
    assert bodies(receive(sqs, url, VisibilityTimeout=600)) == ["m0"]
    server.advance(30)
    send(sqs, url, "m1")
    server.advance(31)  # m0 is past its retention period while still in flight
    deadline = time.monotonic() + 5  # the retention sweep runs as the clock moves
    while not (got := receive(sqs, url)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert bodies(got) == ["m1"]
