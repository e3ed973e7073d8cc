using ConformanceSuite.Http;

namespace ConformanceSuite.Tests;

/// <summary>
/// A walk's pages past those it holds in memory are in its file: each is read back as it was added, by index and in
/// order, its exchange from its own log (or held, when it is in none); a page still in processing is held as it is.
/// </summary>
[TestFixture]
public sealed class WalkPagesTests
{
    private static HttpExchange Exchange(int n) => new() { Method = "GET", Url = $"http://pages.example/list?page={n}" };

    /// <summary>Page <paramref name="n"/>, its fields varied by its number (a first page without a cursor, some without a next or a total).</summary>
    private static WalkPage Page(int n, HttpExchange exchange, long? total = null) =>
        new(n, n == 1 ? null : $"cursor-{n}", new LoggedExchange(exchange), n % 3, n % 4 == 0 ? null : $"id-{n}", (ulong)n * 0x9E3779B97F4A7C15UL, n % 5 == 0 ? null : $"cursor-{n + 1}", n % 7 != 0)
        {
            Total = total,
        };

    private static (int, string?, int, string?, ulong, string?, bool, long?, int) Shape(WalkPage p) =>
        (p.Number, p.Cursor, p.Count, p.FirstId, p.IdsHash, p.Next, p.NextPresent, p.Total, p.Violations.Count);

    [Test]
    public void Pages_past_the_held_ones_come_back_as_added_each_with_its_own_exchange()
    {
        using var log = new RequestLog();
        using var otherLog = new RequestLog();
        using var pages = new WalkPages(heldPages: 4);
        var added = new List<WalkPage>();
        for (var n = 1; n <= 40; n++)
        {
            var exchange = Exchange(n);
            // Page 30's exchange is in another log (at its first place, as page 1's is in the walk's), page 31's in none.
            (n == 30 ? otherLog : n == 31 ? null : log)?.Add(exchange);
            var page = Page(n, exchange, n % 2 == 0 ? n * 10L : null);
            pages.Add(page);
            pages.Processed(page);
            added.Add(page);
        }

        pages.Spilled.Should().BeTrue("36 of the 40 pages are past the 4 held");
        pages.Should().HaveCount(40);
        pages.Select(Shape).Should().Equal(added.Select(Shape), "every page in walk order, each field as it was");
        Enumerable.Range(0, 40).Select(i => Shape(pages[i])).Should().Equal(added.Select(Shape), "by index too");
        pages.Select(p => p.Exchange.Url).Should().Equal(added.Select(p => p.Exchange.Url), "each page's own exchange, whatever log it is in");
    }

    [Test]
    public void Pages_in_processing_are_held_and_follow_the_processed_ones()
    {
        using var pages = new WalkPages(heldPages: 2);
        var all = Enumerable.Range(1, 6).Select(n => Page(n, Exchange(n))).ToList();
        all.ForEach(pages.Add);
        foreach (var page in all.Take(4))
        {
            pages.Processed(page);
        }

        pages.Should().HaveCount(6);
        pages.Select(p => p.Number).Should().Equal(1, 2, 3, 4, 5, 6);
        pages[4].Should().BeSameAs(all[4], "a page in processing is the walk's own object: its processing sets its violations");
        pages[5].Should().BeSameAs(all[5]);
        pages[3].Should().NotBeSameAs(all[3], "a processed page past the held ones is read back");
        Shape(pages[3]).Should().Be(Shape(all[3]));
        pages.Invoking(p => p.Processed(all[5])).Should().Throw<InvalidOperationException>().WithMessage("page 6 was processed out of walk order");
        new WalkPages().Invoking(p => p.Processed(all[0])).Should().Throw<InvalidOperationException>("no page is in processing");
    }

    [Test]
    public void A_page_is_not_read_from_a_disposed_walk_nor_at_a_negative_place()
    {
        var pages = new WalkPages(heldPages: 1);
        foreach (var page in Enumerable.Range(1, 3).Select(n => Page(n, Exchange(n))))
        {
            pages.Add(page);
            pages.Processed(page);
        }

        pages.Invoking(p => p[-1]).Should().Throw<ArgumentOutOfRangeException>();
        pages.Dispose();
        pages.Invoking(p => p[2]).Should().Throw<ObjectDisposedException>("its file is gone with it");
    }
}
