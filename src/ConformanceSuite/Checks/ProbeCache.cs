using System.Collections.Concurrent;

namespace ConformanceSuite.Checks;

/// <summary>
/// Probes of one kind, made once per run and shared by the cases that need them. A probe that skips (the
/// target lacks something) is not kept: the next case asks again and gets the same reason.
/// </summary>
/// <typeparam name="TKey">What identifies a probe (a scenario, a walk's query).</typeparam>
/// <typeparam name="TValue">What the probe found.</typeparam>
public sealed class ProbeCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> entries = new();

    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> make)
    {
        var lazy = entries.GetOrAdd(key, _ => new Lazy<Task<TValue>>(make));
        try
        {
            return await lazy.Value;
        }
        catch (SkipCheckException)
        {
            entries.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>The probes that finished well, for releasing what they hold.</summary>
    public IEnumerable<TValue> Completed =>
        entries.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result);

    public void Clear() => entries.Clear();
}
