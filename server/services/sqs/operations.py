"""The table of SQS operations this server answers, by AWS operation name."""

from __future__ import annotations

from server.services.sqs import message_operations as messages
from server.services.sqs import queue_operations as queues
from server.services.sqs import redrive_operations as redrive

OPERATIONS = {
    "CreateQueue": queues.create_queue,
    "DeleteQueue": queues.delete_queue,
    "GetQueueUrl": queues.get_queue_url,
    "ListQueues": queues.list_queues,
    "GetQueueAttributes": queues.get_queue_attributes,
    "SetQueueAttributes": queues.set_queue_attributes,
    "PurgeQueue": queues.purge_queue,
    "TagQueue": queues.tag_queue,
    "UntagQueue": queues.untag_queue,
    "ListQueueTags": queues.list_queue_tags,
    "AddPermission": queues.add_permission,
    "RemovePermission": queues.remove_permission,
    "SendMessage": messages.send_message,
    "SendMessageBatch": messages.send_message_batch,
    "ReceiveMessage": messages.receive_message,
    "DeleteMessage": messages.delete_message,
    "DeleteMessageBatch": messages.delete_message_batch,
    "ChangeMessageVisibility": messages.change_message_visibility,
    "ChangeMessageVisibilityBatch": messages.change_message_visibility_batch,
    "ListDeadLetterSourceQueues": redrive.list_dead_letter_source_queues,
    "StartMessageMoveTask": redrive.start_message_move_task,
    "CancelMessageMoveTask": redrive.cancel_message_move_task,
    "ListMessageMoveTasks": redrive.list_message_move_tasks,
}
