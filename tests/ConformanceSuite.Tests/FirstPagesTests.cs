namespace ConformanceSuite.Tests;

/// <summary>The table of the page each id of a walk first came on: every repeat found, with its first page, however large.</summary>
[TestFixture]
public sealed class FirstPagesTests
{
    [Test]
    public void Every_repeat_is_found_with_the_page_it_first_came_on_across_growth()
    {
        var table = new FirstPages();
        // Hashes that crowd the same slots (multiples of a power of two) and spread ones, past several growths.
        var hashes = Enumerable.Range(1, 5000).Select(i => i % 2 == 0 ? (ulong)i << 40 : WalkItem.TextHash($"id-{i}")).ToList();
        for (var i = 0; i < hashes.Count; i++)
        {
            table.TryAdd(hashes[i], (i / 10) + 1, out var first).Should().BeTrue($"hash {i} is new");
            first.Should().Be((i / 10) + 1);
        }

        table.Count.Should().Be(5000);
        for (var i = 0; i < hashes.Count; i += 7)
        {
            table.TryAdd(hashes[i], 9999, out var first).Should().BeFalse($"hash {i} came before");
            first.Should().Be((i / 10) + 1, "the page it came on first, not the repeat's");
        }

        table.Count.Should().Be(5000, "a repeat adds nothing");
        table.TryAdd(12345, 3, out _).Should().BeTrue();
        table.TryAdd(12345, 4, out var again).Should().BeFalse();
        again.Should().Be(3);
    }

    [Test]
    public void The_hash_zero_is_an_id_like_any_other()
    {
        var table = new FirstPages();

        table.TryAdd(0, 1, out _).Should().BeTrue();
        table.TryAdd(0, 2, out var first).Should().BeFalse("0 marks an empty slot, yet a hash of 0 is still remembered");
        first.Should().Be(1);
    }
}
