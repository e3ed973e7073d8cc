using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ConformanceSuite.Csv;

/// <summary>
/// Hands batches, in order, from the thread that fills them to one worker thread that processes them, so that
/// reading and processing go side by side. At most <c>ahead</c> full batches wait: the filler waits for room
/// past that, so memory stays bounded however fast it reads. Processed batches come back to be filled again.
/// A worker that fails stops the filler at its next hand-over, and <see cref="Finish"/> throws its exception;
/// the filler always calls <see cref="Finish"/> (in a finally), which waits for the worker, so no batch is ever
/// processed after it returns.
/// </summary>
internal sealed class BatchPipeline<T> : IDisposable
    where T : class
{
    private readonly BlockingCollection<T> full;
    private readonly ConcurrentQueue<T> free = new();
    private readonly CancellationTokenSource failed = new();
    private readonly Func<T> create;
    private readonly Task worker;
    private bool finished;

    public BatchPipeline(Action<T> process, Func<T> create, int ahead)
    {
        this.create = create;
        full = new BlockingCollection<T>(new ConcurrentQueue<T>(), ahead);
        worker = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var batch in full.GetConsumingEnumerable())
                    {
                        process(batch);
                        free.Enqueue(batch);
                    }
                }
                catch
                {
                    failed.Cancel(); // the filler no longer waits for room that would never come
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning, // a thread of its own: it runs for the whole file, and waits while the filler reads
            TaskScheduler.Default);
    }

    /// <summary>Hands over a full batch, and returns an empty one to fill next (one processed already, or a new one).</summary>
    public T Hand(T batch)
    {
        try
        {
            full.Add(batch, failed.Token);
        }
        catch (OperationCanceledException)
        {
            Finish(null); // throws the worker's exception
        }

        return free.TryDequeue(out var next) ? next : create();
    }

    /// <summary>
    /// Hands over the last batch (if any, and if the worker still runs), then waits until every batch handed over is
    /// processed; throws what the worker threw. Only the first call does anything.
    /// </summary>
    public void Finish(T? last)
    {
        if (finished)
        {
            return;
        }

        finished = true;
        if (last is not null && !failed.IsCancellationRequested)
        {
            try
            {
                full.Add(last, failed.Token);
            }
            catch (OperationCanceledException)
            {
                // the worker failed meanwhile: its exception is thrown below
            }
        }

        full.CompleteAdding();
        try
        {
            worker.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    public void Dispose()
    {
        Finish(null);
        full.Dispose();
        failed.Dispose();
    }
}
