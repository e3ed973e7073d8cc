using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.MockServer;

/// <summary>An API's fixture data set (fixtures/&lt;api&gt;/dataset.json): its records, credentials and test-data ids.</summary>
internal sealed record MockDataset(JsonObject Json, IReadOnlyDictionary<string, string> Credentials, IReadOnlyDictionary<string, string> TestData)
{
    public static MockDataset Load(RepositoryLayout layout, string apiId)
    {
        var file = Path.Combine(layout.ApiFixtures(apiId), "dataset.json");
        if (!File.Exists(file))
        {
            throw new ConfigurationException($"the mock has no data set for {apiId}: {file} does not exist");
        }

        var json = SchemaValidator.ParseJson(file, File.ReadAllText(file)) as JsonObject
            ?? throw new ConfigurationException(file, "", "expected an object (the data set)");
        return new MockDataset(json, Strings(file, "/credentials", json["credentials"]), Strings(file, "/testData", json["testData"]));
    }

    private static Dictionary<string, string> Strings(string file, string pointer, JsonNode? node) =>
        (node as JsonObject ?? []).ToDictionary(
            kv => kv.Key,
            kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ConfigurationException(file, $"{pointer}/{kv.Key}", "expected a string"),
            StringComparer.Ordinal);
}
