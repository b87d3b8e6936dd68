"""The platform's order of the event-horizon lists → the tree's ``eventHorizons[].order``.

platform-api v4.13.0 appended each tenant's subscription to the consumer's
``event-horizons.json`` and to the producer's ``event-horizon-consents.json``
(pkg/platform/microservice/simple/k8s/repo.go: SubscribeToAnotherApplication), so every
list is in the order the subscriptions were made; the render sorts them. Where a list of
the dump is not in the order the render gives it, its subscriptions are ranked: numbered in
one order of creation that agrees with every list, and the render puts ranked entries
first, by number, then the others sorted. Lists that contradict each other (a subscription
made twice, a list edited by hand) leave every list sorted.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from aigonix_render.commands.importer.horizons import Directory, Event
from aigonix_render.commands.importer.view import View
from aigonix_render.foundation import record

# The fields of a consent that name its subscription, without the scope and the consumer's
# environment: (producer environment, producer, producer tenant, consumer, consumer tenant,
# stream, partition).
_Named = tuple[str, str, str, str, str, str, str]


@record
class _List:
    """One list of the dump in its order: each subscription, with the key the render sorts
    its entry by (the entry's values in the order of its sorted keys)."""

    events: tuple[Event, ...]
    keys: tuple[tuple[str, ...], ...]


def platform_order(views: Iterable[tuple[str, View]], directory: Directory) -> dict[Event, int]:
    """The rank of each subscription that needs one. ``views``: (microservice id, view)."""
    every = list(views)
    consumers = list(_consumer_lists(every, directory))
    lists = [*consumers, *_producer_lists(every, _named(consumers))]
    created = _created(lists)
    if created is None:
        return {}
    ranked: set[Event] = set()
    changed = True
    while changed:
        changed = False
        for found in lists:
            if _rendered(found, ranked, created) != list(found.events) and not ranked >= set(found.events):
                ranked |= set(found.events)
                changed = True
    return {event: rank for rank, event in enumerate(sorted(ranked, key=created.__getitem__), start=1)}


def _consumer_lists(views: list[tuple[str, View]], directory: Directory) -> Iterator[_List]:
    for consumer_id, view in views:
        for tenant, entries in sorted(view.runtime_files.horizons.items()):
            pairs = []
            for e in entries:
                producer = e["microservice"]
                if producer not in directory.microservices:
                    continue  # left out of the tree (subscriptions reports it)
                source = directory.source_environment(view, producer)
                subscription = (producer, e["tenant"], e["stream"], e["partition"], e["scope"])
                pairs.append(((view.environment, consumer_id, tenant, source, *subscription), _key(e)))
            yield _list(pairs)


def _named(consumers: list[_List]) -> dict[_Named, list[Event]]:
    found: dict[_Named, list[Event]] = {}
    for listed in consumers:
        for event in listed.events:
            _, consumer, tenant, source, producer, producer_tenant, stream, partition, _ = event
            named = (source, producer, producer_tenant, consumer, tenant, stream, partition)
            found.setdefault(named, []).append(event)
    return found


def _producer_lists(views: list[tuple[str, View]], named: dict[_Named, list[Event]]) -> Iterator[_List]:
    """A consent names its subscription but for the scope and the consumer's environment:
    one that could be several subscriptions is left out of the list."""
    for producer_id, view in views:
        for tenant, entries in sorted(view.runtime_files.consents.items()):
            pairs = []
            for e in entries:
                key = (
                    view.environment,
                    producer_id,
                    tenant,
                    e["microservice"],
                    e["tenant"],
                    e["stream"],
                    e["partition"],
                )
                events = named.get(key, [])
                if len(events) == 1:
                    pairs.append((events[0], _key(e)))
            yield _list(pairs)


def _key(entry: dict[str, str]) -> tuple[str, ...]:
    """The render's sort key of an entry (render/runtime.py: _entry_order)."""
    return tuple(entry[k] for k in sorted(entry))


def _list(pairs: list[tuple[Event, tuple[str, ...]]]) -> _List:
    """Each subscription once: the tree has one entry per subscription."""
    seen: dict[Event, tuple[str, ...]] = {}
    for event, key in pairs:
        seen.setdefault(event, key)
    return _List(tuple(seen), tuple(seen.values()))


def _created(lists: list[_List]) -> dict[Event, int] | None:
    """One order of creation in which every list is in its order (the smallest subscription
    first where the lists leave it open), None if there is none."""
    after: dict[Event, set[Event]] = {}
    before: dict[Event, int] = {}
    for found in lists:
        for event in found.events:
            after.setdefault(event, set())
            before.setdefault(event, 0)
        for first, second in zip(found.events, found.events[1:], strict=False):
            if second not in after[first]:
                after[first].add(second)
                before[second] += 1
    ready = [event for event, count in before.items() if count == 0]
    heapq.heapify(ready)
    created: dict[Event, int] = {}
    while ready:
        event = heapq.heappop(ready)
        created[event] = len(created)
        for later in after[event]:
            before[later] -= 1
            if before[later] == 0:
                heapq.heappush(ready, later)
    return created if len(created) == len(before) else None


def _rendered(found: _List, ranked: set[Event], created: dict[Event, int]) -> list[Event]:
    """The list as the render writes it: ranked entries first, by rank, then the others sorted."""
    order = sorted(
        range(len(found.events)),
        key=lambda i: (
            found.events[i] not in ranked,
            created[found.events[i]] if found.events[i] in ranked else 0,
            found.keys[i],
        ),
    )
    return [found.events[i] for i in order]
