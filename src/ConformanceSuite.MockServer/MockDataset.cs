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

        var json = (JsonObject)SchemaValidator.ParseJson(file, File.ReadAllText(file));
        return new MockDataset(json, Strings(json["credentials"]), Strings(json["testData"]));
    }

    private static Dictionary<string, string> Strings(JsonNode? node) =>
        (node as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal);
}
