"""Which of a topic's subscriptions a publish goes to, without trying every filter policy.

Most policies demand exact values of some key (`{"customer": ["c-17"]}`). Such a subscription is filed
under one of those keys and values (a key every alternative of the policy demands it for): a publish looks up
its own values of the indexed keys, and only the subscriptions found there, plus those that could not be
filed, have their whole policy tried. A topic with 10,000 subscriptions filtering on distinct customers tries
one or two policies per publish, not 10,000.
"""

from __future__ import annotations

from persistence.records import SubscriptionRecord
from server.services.filter_policy import Facts, Leaf, Path, Policy

Key = tuple[bool, Path]
"""(body scope, key path)"""
Routed = tuple[SubscriptionRecord, Policy | None]


def _only_strings(leaf: Leaf) -> bool:
    return bool(leaf.strings) and not (
        leaf.numbers or leaf.literals or leaf.tests or leaf.must_exist or leaf.must_be_absent
    )


def _anchor(policy: Policy) -> tuple[Key, frozenset[str]] | None:
    """A key that every alternative of the policy demands one of some exact strings for, and all those
    strings: a message without one of them cannot match."""
    for path, _ in policy.alternatives[0]:
        demanded = [
            next((leaf for at, leaf in leaves if at == path and _only_strings(leaf)), None)
            for leaves in policy.alternatives
        ]
        if all(leaf is not None for leaf in demanded):
            values = frozenset().union(*(leaf.strings for leaf in demanded if leaf is not None))
            return (policy.body_scope, path), values
    return None


class TopicRoutes:
    def __init__(self) -> None:
        self._unfiled: dict[str, Routed] = {}
        self._filed: dict[Key, dict[str, dict[str, Routed]]] = {}
        """key -> value -> subscription ARN -> (subscription, policy)"""
        self._anchors: dict[str, tuple[Key, frozenset[str]]] = {}

    def add(self, subscription: SubscriptionRecord, policy: Policy | None) -> None:
        self.remove(subscription.arn)
        anchor = _anchor(policy) if policy is not None else None
        if anchor is None:
            self._unfiled[subscription.arn] = (subscription, policy)
            return
        key, values = anchor
        by_value = self._filed.setdefault(key, {})
        for value in values:
            by_value.setdefault(value, {})[subscription.arn] = (subscription, policy)
        self._anchors[subscription.arn] = anchor

    def remove(self, arn: str) -> None:
        self._unfiled.pop(arn, None)
        anchor = self._anchors.pop(arn, None)
        if anchor is None:
            return
        key, values = anchor
        by_value = self._filed[key]
        for value in values:
            by_value[value].pop(arn, None)
            if not by_value[value]:
                del by_value[value]
        if not by_value:
            del self._filed[key]

    def matching(self, facts: Facts) -> list[SubscriptionRecord]:
        """The confirmed subscriptions whose policy (if any) accepts the message."""
        found = [s for s, p in self._unfiled.values() if not s.pending and (p is None or p.matches(facts))]
        for (body_scope, path), by_value in self._filed.items():
            seen: set[str] = set()
            for value in facts.values(body_scope, path) or ():
                if not isinstance(value, str):
                    continue
                for arn, (subscription, policy) in by_value.get(value, {}).items():
                    if arn not in seen and not subscription.pending:
                        seen.add(arn)
                        if policy is None or policy.matches(facts):
                            found.append(subscription)
        return found
