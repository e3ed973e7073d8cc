using System.Collections;
using NJsonSchema;

namespace ConformanceSuite.Contracts;

/// <summary>
/// An API's body schemas by file name, loaded when first asked for: a run pays for the JSON Schema library
/// only when a check validates a body. A schema whose bytes were not validated when the tool was packed is
/// loaded at once instead, so a broken one is still a load-time error with its file.
/// </summary>
public sealed class BodySchemaDictionary : IReadOnlyDictionary<string, JsonSchema>
{
    private readonly Dictionary<string, Lazy<JsonSchema>> schemas = new(StringComparer.Ordinal);

    public static BodySchemaDictionary Empty { get; } = new();

    /// <summary>Adds a schema file; <paramref name="eager"/> loads it now.</summary>
    public void Add(string name, string file, bool eager)
    {
        // Read afresh, $refs and all: the contract that holds this dictionary is the one loaded from these very bytes
        // (LoadedContracts), and a file a $ref names may have changed where the schema's own file has not.
        var lazy = new Lazy<JsonSchema>(() => SchemaValidator.ReadSchemaFile(file));
        schemas[name] = lazy;
        if (eager)
        {
            _ = lazy.Value;
        }
    }

    public JsonSchema this[string key] => schemas[key].Value;

    public IEnumerable<string> Keys => schemas.Keys;

    public IEnumerable<JsonSchema> Values => schemas.Values.Select(s => s.Value);

    public int Count => schemas.Count;

    public bool ContainsKey(string key) => schemas.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out JsonSchema value)
    {
        value = schemas.TryGetValue(key, out var lazy) ? lazy.Value : null;
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, JsonSchema>> GetEnumerator() =>
        schemas.Select(kv => new KeyValuePair<string, JsonSchema>(kv.Key, kv.Value.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
