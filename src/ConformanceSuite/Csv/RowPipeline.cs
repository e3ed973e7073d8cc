namespace ConformanceSuite.Csv;

/// <summary>
/// Rows read by the parser, waiting to be checked. A row is kept either as its whole text, to be split at the
/// delimiter by the checker (a row without quotes, whose fields are exactly the text between delimiters), or as
/// the values of its keyed fields (a row with quotes, as the parser unquoted them). Characters are copied into one
/// buffer, so the parser's strings die young, as they would without the batch.
/// </summary>
internal sealed class RowBatch(int width, int delimitersKept, int capacity)
{
    private readonly int[] delimiters = new int[delimitersKept * capacity];
    private char[] chars = new char[Math.Max(1024, capacity * 48)];
    private int used;

    public int Width { get; } = width;

    public int Capacity { get; } = capacity;

    /// <summary>For a row kept as text: where its text starts in the buffer; -1 for a row kept as fields.</summary>
    public int[] TextStarts { get; } = new int[capacity];

    public int[] TextLengths { get; } = new int[capacity];

    /// <summary>For a row kept as fields: field k starts at Starts[i * Width + k]; its length is -1 when the row lacks it.</summary>
    public int[] Starts { get; } = new int[width * capacity];

    public int[] Lengths { get; } = new int[width * capacity];

    public long[] Lines { get; } = new long[capacity];

    public int[] Fields { get; } = new int[capacity];

    /// <summary>For a row kept as fields whose field count is wrong: the whole record as text (for its message).</summary>
    public string?[] Records { get; } = new string?[capacity];

    public long FirstRow { get; set; }

    public int Count { get; set; }

    public bool Full => Count == Capacity;

    public ReadOnlySpan<char> Chars => chars.AsSpan(0, used);

    /// <summary>For a row kept as text: where its first delimiters are (as many as the keyed columns need).</summary>
    public Span<int> Delimiters(int row) => delimiters.AsSpan(row * delimitersKept, delimitersKept);

    public bool IsText(int row) => TextStarts[row] >= 0;

    public ReadOnlySpan<char> Text(int row) => chars.AsSpan(TextStarts[row], TextLengths[row]);

    public ReadOnlySpan<char> Field(int row, int k)
    {
        var at = (row * Width) + k;
        return chars.AsSpan(Starts[at], Math.Max(Lengths[at], 0));
    }

    public bool Missing(int row, int k) => Lengths[(row * Width) + k] < 0;

    public void SetText(int row, ReadOnlySpan<char> text)
    {
        TextStarts[row] = Copy(text);
        TextLengths[row] = text.Length;
    }

    public void Set(int row, int k, string? value)
    {
        TextStarts[row] = -1;
        var at = (row * Width) + k;
        if (value is null)
        {
            Starts[at] = 0;
            Lengths[at] = -1;
            return;
        }

        Starts[at] = Copy(value);
        Lengths[at] = value.Length;
    }

    public void Clear()
    {
        Array.Clear(Records);
        Count = 0;
        used = 0;
    }

    private int Copy(ReadOnlySpan<char> value)
    {
        if (used + value.Length > chars.Length)
        {
            Array.Resize(ref chars, Math.Max(chars.Length * 2, used + value.Length));
        }

        value.CopyTo(chars.AsSpan(used));
        var start = used;
        used += value.Length;
        return start;
    }
}

/// <summary>
/// Checks batches of rows on a second thread while the parser reads on, in row order, so the parser's thread
/// only reads. A file smaller than one batch is checked on the caller's thread, without a second one.
/// Batches are recycled (a fixed few), so memory does not grow with the file. The hand-off is a lock and a wait
/// (no spinning: on a busy machine a spinning thread takes the core the other one needs); a checker that fails
/// stops the reader at its next batch, and its exception is rethrown by <see cref="Complete"/>.
/// </summary>
internal sealed class RowPipeline : IDisposable
{
    private const int Batches = 4;

    private readonly Action<RowBatch> check;
    private readonly Queue<RowBatch> full = new(Batches);
    private readonly Queue<RowBatch> free = new(Batches);
    private readonly object gate = new(); // a Monitor, for Wait and PulseAll
    private Thread? worker;
    private Exception? failure;
    private bool ended;
    private long nextRow = 1;

    public RowPipeline(int width, int delimitersKept, int batchRows, Action<RowBatch> check)
    {
        this.check = check;
        Current = new RowBatch(width, delimitersKept, batchRows) { FirstRow = 1 };
        for (var i = 1; i < Batches; i++)
        {
            free.Enqueue(new RowBatch(width, delimitersKept, batchRows));
        }
    }

    /// <summary>The batch being filled by the reader.</summary>
    public RowBatch Current { get; private set; }

    /// <summary>Hands the full current batch over and takes an empty one (waiting while the checker is behind).</summary>
    public void Submit()
    {
        if (worker is null)
        {
            worker = new Thread(Work) { IsBackground = true, Name = "CSV row checker" };
            worker.Start();
        }

        nextRow += Current.Count;
        lock (gate)
        {
            full.Enqueue(Current);
            Monitor.PulseAll(gate);
            while (free.Count == 0 && failure is null)
            {
                Monitor.Wait(gate);
            }

            if (failure is not null)
            {
                ended = true;
                Monitor.PulseAll(gate);
            }
            else
            {
                Current = free.Dequeue();
            }
        }

        if (ended)
        {
            Complete(); // rethrows the checker's exception
        }

        Current.Clear();
        Current.FirstRow = nextRow;
    }

    /// <summary>Checks what is left and waits for the checker; rethrows its exception if it failed.</summary>
    public void Complete()
    {
        if (worker is null)
        {
            check(Current);
            Current.Clear();
            return;
        }

        lock (gate)
        {
            if (!ended)
            {
                if (Current.Count > 0 && failure is null)
                {
                    full.Enqueue(Current);
                }

                ended = true;
                Monitor.PulseAll(gate);
            }
        }

        worker.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>After the reader failed: checks the rows it read, keeping the reader's exception the one that propagates.</summary>
    public void Drain()
    {
        try
        {
            Complete();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The checker's failure is secondary to the reader's.
        }
    }

    /// <summary>Stops the checker (it finishes the batches it was given) without rethrowing.</summary>
    public void Dispose()
    {
        if (worker is null)
        {
            return;
        }

        lock (gate)
        {
            ended = true;
            Monitor.PulseAll(gate);
        }

        worker.Join();
    }

    private void Work()
    {
        while (true)
        {
            RowBatch batch;
            lock (gate)
            {
                while (full.Count == 0 && !ended)
                {
                    Monitor.Wait(gate);
                }

                if (full.Count == 0)
                {
                    return;
                }

                batch = full.Dequeue();
            }

            try
            {
                check(batch);
            }
            catch (Exception ex)
            {
                lock (gate)
                {
                    failure = ex;
                    full.Clear();
                    Monitor.PulseAll(gate);
                }

                return;
            }

            lock (gate)
            {
                free.Enqueue(batch);
                Monitor.PulseAll(gate);
            }
        }
    }
}
