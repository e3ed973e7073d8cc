using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.MockServer;

/// <summary>
/// An API's fixture data set (fixtures/&lt;api&gt;/dataset.json): its records, credentials and test-data ids. The
/// shape a mock reads is checked when it is set up (<see cref="Objects"/>, <see cref="Integer"/>, <see cref="Strings(JsonObject, string, string)"/>):
/// a member of the wrong shape is a configuration error naming the file and the JSON pointer, not a mock that
/// serves nothing (the run then merely incomplete) or fails in the middle of a run.
/// </summary>
internal sealed record MockDataset(string File, JsonObject Json, IReadOnlyDictionary<string, string> Credentials, IReadOnlyDictionary<string, string> TestData)
{
    public static MockDataset Load(RepositoryLayout layout, string apiId)
    {
        var file = Path.Combine(layout.ApiFixtures(apiId), "dataset.json");
        if (!System.IO.File.Exists(file))
        {
            throw new ConfigurationException($"the mock has no data set for {apiId}: {file} does not exist");
        }

        var json = SchemaValidator.ParseJson(file, InputFile.ReadAllText(file, "mock data set")) as JsonObject
            ?? throw new ConfigurationException(file, "", "expected an object (the data set)");
        return new MockDataset(file, json, Strings(file, "/credentials", json["credentials"]), Strings(file, "/testData", json["testData"]));
    }

    /// <summary>The objects of an array member (the data set's records, a record's rows); the member must be there.</summary>
    /// <param name="parent">The object holding the member.</param>
    /// <param name="at">The parent's JSON pointer in the file ("" for the data set itself).</param>
    /// <param name="name">The member.</param>
    public IReadOnlyList<JsonObject> Objects(JsonObject parent, string at, string name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var pointer = Pointer(at, name);
        return parent[name] is JsonArray array
            ? [.. array.Select((item, i) => item as JsonObject ?? throw new ConfigurationException(File, Pointer(pointer, i), "expected an object"))]
            : throw new ConfigurationException(File, pointer, parent.ContainsKey(name) ? "expected an array of objects" : "missing: expected an array of objects");
    }

    /// <summary>A whole number member, at least <paramref name="minimum"/>; null when the member is absent and not <paramref name="required"/>.</summary>
    public long? Integer(JsonObject parent, string at, string name, bool required, long minimum = long.MinValue)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (!parent.ContainsKey(name) && !required)
        {
            return null;
        }

        return parent[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) && number >= minimum
            ? number
            : throw new ConfigurationException(File, Pointer(at, name), minimum == long.MinValue ? "expected a whole number" : $"expected a whole number of at least {minimum.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The strings of an optional array member (empty when it is absent).</summary>
    public IReadOnlyList<string> Strings(JsonObject parent, string at, string name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var pointer = Pointer(at, name);
        return parent[name] switch
        {
            null when !parent.ContainsKey(name) => [],
            JsonArray array => [.. array.Select((item, i) => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ConfigurationException(File, Pointer(pointer, i), "expected a string"))],
            _ => throw new ConfigurationException(File, pointer, "expected an array of strings"),
        };
    }

    /// <summary>Refuses a member that is there and is not a string (absent and null are let be).</summary>
    public void OptionalString(JsonObject parent, string at, string name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (parent[name] is { } node && !(node is JsonValue v && v.TryGetValue<string>(out _)))
        {
            throw new ConfigurationException(File, Pointer(at, name), "expected a string");
        }
    }

    private static string Pointer(string at, string name) => $"{at}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    private static string Pointer(string at, int index) => $"{at}/{index.ToString(CultureInfo.InvariantCulture)}";

    private static Dictionary<string, string> Strings(string file, string pointer, JsonNode? node) =>
        (node is null ? [] : node as JsonObject ?? throw new ConfigurationException(file, pointer, "expected an object of strings")).ToDictionary(
            kv => kv.Key,
            kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ConfigurationException(file, $"{pointer}/{kv.Key}", "expected a string"),
            StringComparer.Ordinal);
}
