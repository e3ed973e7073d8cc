using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Pact.Tests;

/// <summary>Where pacts go, and the one normal form they are kept in (so regeneration is byte-for-byte comparable).</summary>
public static class PactFiles
{
    public const string Consumer = "ConformanceSuiteConsumer";
    public const string ExampleToken = "pact-example-token";
    public const string ExampleUser = "pact-example-user";
    public const string UpdateVariable = "CONFORMANCE_UPDATE_PACTS";

    public static readonly RepositoryLayout Layout = RepositoryLayout.Discover();

    public static string Committed => Path.Combine(Layout.Root, "pacts");

    /// <summary>This test run's freshly written pacts.</summary>
    public static readonly string Regenerated = Path.Combine(Path.GetTempPath(), "cs-pacts-" + Environment.ProcessId);

    public static string FileFor(string provider) => $"{Consumer}-{provider}.json";

    /// <summary>How each regenerated pact differs from the committed one; none when they are the same. <paramref name="update"/> rewrites the committed ones instead.</summary>
    public static List<string> Differences(bool update)
    {
        var differences = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Regenerated, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            var fresh = Normalise(File.ReadAllText(file));
            var committed = Path.Combine(Committed, Path.GetFileName(file));
            if (update)
            {
                File.WriteAllText(committed, fresh);
            }
            else if (!File.Exists(committed))
            {
                differences.Add($"{Path.GetFileName(file)} is not committed in pacts/");
            }
            else if (File.ReadAllText(committed) != fresh)
            {
                differences.Add($"{Path.GetFileName(file)} differs from pacts/ (regenerated at {file})");
            }
        }

        return differences;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Interactions sorted by description, two-space JSON, LF, final newline.</summary>
    public static string Normalise(string json)
    {
        var pact = JsonNode.Parse(json)!.AsObject();
        if (pact["interactions"] is JsonArray interactions)
        {
            var sorted = interactions.Select(i => i!.DeepClone()).OrderBy(i => i["description"]?.GetValue<string>(), StringComparer.Ordinal).ToList();
            pact["interactions"] = new JsonArray([.. sorted]);
        }

        return pact.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
