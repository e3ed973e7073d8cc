using ConformanceSuite.Checks;

namespace ConformanceSuite.Tests;

/// <summary>
/// <see cref="SpilledList{T}"/> on its own: an enumeration gives the items there were when it started, held or written
/// out, however many are added meanwhile; a list disposed of refuses to be used; an item read back from bytes other than
/// its own is a damaged file, never a wrong item.
/// </summary>
[TestFixture]
public sealed class SpilledListTests
{
    /// <summary>Texts, written as they are.</summary>
    private sealed class Texts(int held) : SpilledList<string>(held, "cs-spilled-list-test")
    {
        protected override void Write(BinaryWriter writer, string item) => writer.Write(item);

        protected override string Read(BinaryReader reader) => reader.ReadString();
    }

    /// <summary>Texts that read back fewer bytes than were written: the length prefix of each is read, its characters are not.</summary>
    private sealed class Lengths(int held) : SpilledList<string>(held, "cs-spilled-list-test")
    {
        protected override void Write(BinaryWriter writer, string item) => writer.Write(item);

        protected override string Read(BinaryReader reader) => reader.Read7BitEncodedInt().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public void An_enumeration_gives_the_held_items_there_were_when_it_started()
    {
        using var list = new Texts(held: 10);
        list.Add("a");
        list.Add("b");
        list.Add("c");

        using var enumeration = list.GetEnumerator();
        enumeration.MoveNext().Should().BeTrue();
        list.Add("d"); // held too: the enumeration started with three
        var seen = new List<string> { enumeration.Current };
        while (enumeration.MoveNext())
        {
            seen.Add(enumeration.Current);
        }

        seen.Should().Equal("a", "b", "c");
        list.Should().HaveCount(4);
    }

    [Test]
    public void An_enumeration_gives_the_items_written_out_there_were_when_it_started_though_their_last_group_grew()
    {
        // Items of 5,000 characters: a group of 16 is past a chunk (64 KiB), so each group is read back on its own, and the
        // second one, read after the list grew, holds more items than there were.
        static string Item(int i) => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + new string('x', 4996);
        using var list = new Texts(held: 2);
        for (var i = 0; i < 22; i++)
        {
            list.Add(Item(i));
        }

        list.Spilled.Should().BeTrue();
        using var enumeration = list.GetEnumerator();
        enumeration.MoveNext().Should().BeTrue();
        for (var i = 22; i < 25; i++)
        {
            list.Add(Item(i)); // into the second group written out, which had 4 items
        }

        var seen = new List<string> { enumeration.Current };
        while (enumeration.MoveNext())
        {
            seen.Add(enumeration.Current);
        }

        seen.Select(s => s[..4]).Should().Equal(Enumerable.Range(0, 22).Select(i => Item(i)[..4]));
        list.Select(s => s[..4]).Should().Equal(Enumerable.Range(0, 25).Select(i => Item(i)[..4]));
        list[24].Should().Be(Item(24));
        list[2].Should().Be(Item(2));
    }

    [Test]
    public void A_list_disposed_of_refuses_to_be_used()
    {
        var list = new Texts(held: 1);
        for (var i = 0; i < 40; i++)
        {
            list.Add($"item {i}");
        }

        list.Dispose();

        list.Invoking(l => l.Add("more")).Should().Throw<ObjectDisposedException>();
        list.Invoking(l => l[0]).Should().Throw<ObjectDisposedException>();
        list.Invoking(l => l[30]).Should().Throw<ObjectDisposedException>();
        list.Invoking(l => l.Skip(1).ToList()).Should().Throw<ObjectDisposedException>("the items written out are gone with the file");

        // One with room left to hold items: an item added after its end would be kept as if nothing had happened.
        var roomy = new Texts(held: 10);
        roomy.Add("first");
        roomy.Dispose();
        roomy.Invoking(l => l.Add("second")).Should().Throw<ObjectDisposedException>();
    }

    [Test]
    public void An_item_read_back_from_bytes_other_than_its_own_is_a_damaged_file()
    {
        using var list = new Lengths(held: 0);
        for (var i = 0; i < 20; i++)
        {
            list.Add($"item {i}");
        }

        list.Invoking(l => l[3]).Should().Throw<InvalidDataException>().WithMessage("the walk's file is damaged: * bytes read back, * of them decoded");
        list.Invoking(l => l.ToList()).Should().Throw<InvalidDataException>();
    }
}
