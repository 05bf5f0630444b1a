"""Keys that every sale would write are sharded: the shard follows the record's id, a reader asks every
shard, and the sharded policy-number counter still hands out each number once."""

from __future__ import annotations

from collections import Counter

from insuremall.sharding import SHARDS, every_shard, shard_of, sharded
from policy.domain.issuance import sequence_number


def test_given_the_same_id_when_sharded_twice_then_the_same_key():
    policy_no = "HML2026120300000011"
    assert sharded("END#2027-12-02", policy_no) == sharded("END#2027-12-02", policy_no)


def test_given_many_ids_when_sharded_then_every_shard_is_used_and_none_takes_much_more_than_its_share():
    shards = Counter(shard_of(f"ORD{i:08d}") for i in range(16_000))
    assert set(shards) == set(range(SHARDS))
    assert max(shards.values()) < 1.2 * 16_000 / SHARDS


def test_given_a_prefix_when_every_shard_then_the_reader_asks_each_key_a_writer_can_write():
    written = {sharded("ORDERSTATUS#paid", f"ORD{i}") for i in range(1_000)}
    assert written <= set(every_shard("ORDERSTATUS#paid"))
    assert len(every_shard("ORDERSTATUS#paid")) == SHARDS


def test_given_sharded_counters_when_each_hands_out_numbers_then_no_number_twice():
    counters = Counter()
    numbers = []
    for i in range(5_000):
        shard = shard_of(f"ORD{i}")
        counters[shard] += 1
        numbers.append(sequence_number(counters[shard], shard, SHARDS))
    assert len(set(numbers)) == len(numbers)
    assert min(numbers) >= 1
