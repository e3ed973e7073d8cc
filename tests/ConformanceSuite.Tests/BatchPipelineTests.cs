using ConformanceSuite.Csv;

namespace ConformanceSuite.Tests;

/// <summary>The hand-over between the CSV parser's thread and the thread that checks its rows.</summary>
[TestFixture]
public sealed class BatchPipelineTests
{
    private sealed class Batch
    {
        public List<int> Items { get; } = [];
    }

    [Test]
    public void Every_batch_handed_over_is_processed_once_in_order_before_finish_returns()
    {
        var seen = new List<int>();
        var created = 0;
        var threads = new HashSet<int>();
        using var pipeline = new BatchPipeline<Batch>(b =>
        {
            Thread.Sleep(b.Items[0] % 7 == 0 ? 2 : 0); // the worker falls behind now and then: the filler waits for room
            seen.AddRange(b.Items);
            threads.Add(Environment.CurrentManagedThreadId);
            b.Items.Clear();
        }, () => { created++; return new Batch(); }, ahead: 2);

        var batch = new Batch();
        for (var i = 0; i < 1000; i++)
        {
            batch.Items.Add(i);
            if (batch.Items.Count == 10)
            {
                batch = pipeline.Hand(batch);
                batch.Items.Should().BeEmpty("a batch comes back empty, to be filled again");
            }
        }

        batch.Items.Add(1000); // the last one, not full
        pipeline.Finish(batch);

        seen.Should().Equal(Enumerable.Range(0, 1001), "every row is processed once, in the order read");
        threads.Should().ContainSingle().Which.Should().NotBe(Environment.CurrentManagedThreadId, "one worker, beside the filler");
        created.Should().BeLessThan(10, "processed batches are filled again: at most the waiting ones, the one in hand and the one being processed are new");
    }

    [Test]
    public void A_worker_that_fails_stops_the_filler_with_its_exception_even_when_the_filler_waits_for_room()
    {
        using var pipeline = new BatchPipeline<Batch>(b =>
        {
            if (b.Items[0] == 30)
            {
                throw new InvalidDataException("the worker broke at 30");
            }
        }, () => new Batch(), ahead: 1);

        // Past the failure nothing takes batches any more: a filler that waited for room would wait for ever.
        var filling = Task.Run(() =>
        {
            var batch = new Batch();
            for (var i = 0; ; i++)
            {
                batch.Items.Clear();
                batch.Items.Add(i);
                batch = pipeline.Hand(batch);
            }
        });

        Task.WhenAny(filling, Task.Delay(TimeSpan.FromSeconds(30))).Result.Should().BeSameAs(filling, "the filler is stopped, not left waiting");
        filling.Exception!.InnerException.Should().BeOfType<InvalidDataException>().Which.Message.Should().Be("the worker broke at 30");
        pipeline.Invoking(p => p.Finish(new Batch())).Should().NotThrow("only the first call finishes, and that one threw");
    }

    [Test]
    public void Finish_throws_what_the_worker_threw_after_the_last_batch()
    {
        var pipeline = new BatchPipeline<Batch>(b =>
        {
            if (b.Items[0] == 3)
            {
                throw new InvalidDataException("the worker broke at 3");
            }
        }, () => new Batch(), ahead: 100);
        for (var i = 0; i < 5; i++)
        {
            pipeline.Hand(new Batch { Items = { i } });
        }

        pipeline.Invoking(p => p.Finish(new Batch { Items = { 5 } })).Should().Throw<InvalidDataException>().WithMessage("the worker broke at 3");
        pipeline.Dispose();
    }

    [Test]
    public void When_the_filler_fails_every_batch_it_handed_over_is_processed_before_its_exception_goes_on()
    {
        var seen = new List<int>();
        using var pipeline = new BatchPipeline<Batch>(b =>
        {
            Thread.Sleep(5); // a slow worker: batches are still waiting when the filler fails
            seen.AddRange(b.Items);
            b.Items.Clear();
        }, () => new Batch(), ahead: 8);

        var read = () =>
        {
            var batch = new Batch();
            try
            {
                for (var i = 0; i < 20; i++)
                {
                    batch.Items.Add(i);
                    batch = pipeline.Hand(batch);
                }

                batch.Items.Add(20);
                throw new IOException("the body stopped");
            }
            finally
            {
                pipeline.Finish(batch);
            }
        };

        read.Should().Throw<IOException>();
        seen.Should().Equal(Enumerable.Range(0, 21), "the rows read before the failure are all processed, the last batch too");
    }
}
