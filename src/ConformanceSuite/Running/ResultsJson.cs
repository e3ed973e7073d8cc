using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConformanceSuite.Running;

public static class ResultsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serializes <paramref name="sample"/> and throws the text away: the writers are compiled before the reports are due.</summary>
    public static void WarmUp(RequirementResult sample) => JsonSerializer.Serialize(sample, Options);

    /// <summary>The same, one object per line (JSON Lines: requests.jsonl).</summary>
    public static readonly JsonSerializerOptions Lines = new(Options) { WriteIndented = false };

    /// <summary>
    /// A finding's evidence is nearly always one of its case's exchanges: a page with twenty schema violations makes
    /// twenty findings of one exchange. results.json holds each exchange once, in the case's <c>evidence</c>, and a
    /// finding whose evidence is one of them names it by its place there: <c>"exchange": 0</c>. A finding whose
    /// evidence is none of them keeps it whole.
    /// </summary>
    public static void ShareEvidence(JsonNode results)
    {
        foreach (var (_, @case) in Cases(results))
        {
            if (@case["evidence"] is not JsonArray evidence || @case["findings"] is not JsonArray findings)
            {
                continue;
            }

            var places = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < evidence.Count; i++)
            {
                places.TryAdd(evidence[i]?.ToJsonString() ?? "null", i);
            }

            foreach (var finding in findings.OfType<JsonObject>())
            {
                if (finding["evidence"] is { } shown && places.TryGetValue(shown.ToJsonString(), out var place))
                {
                    Rename(finding, "evidence", "exchange", place);
                }
            }
        }
    }

    /// <summary>
    /// The reverse of <see cref="ShareEvidence"/>, for reading results.json back: each finding's <c>exchange</c>
    /// becomes a copy of the case's exchange it names. Returns where a place names no exchange, or null. Any other
    /// shape is left to the reader, which says what it is not.
    /// </summary>
    public static string? ResolveEvidence(JsonNode results)
    {
        foreach (var (at, @case) in Cases(results))
        {
            var evidence = @case["evidence"] as JsonArray;
            var findings = @case["findings"] as JsonArray ?? [];
            for (var f = 0; f < findings.Count; f++)
            {
                if (findings[f] is JsonObject finding && finding.TryGetPropertyValue("exchange", out var place))
                {
                    if (place is not JsonValue v || !v.TryGetValue<int>(out var i) || evidence is null || i < 0 || i >= evidence.Count)
                    {
                        return $"{at}/findings/{f}/exchange";
                    }

                    Rename(finding, "exchange", "evidence", evidence[i]?.DeepClone());
                }
            }
        }

        return null;
    }

    /// <summary>Replaces a member with another of a new name, in its place.</summary>
    private static void Rename(JsonObject o, string name, string newName, JsonNode? value)
    {
        var at = o.IndexOf(name);
        o.RemoveAt(at);
        o.Insert(at, newName, value);
    }

    /// <summary>Each case object of a results document, with its pointer.</summary>
    private static IEnumerable<(string Pointer, JsonObject Case)> Cases(JsonNode results)
    {
        var requirements = (results as JsonObject)?["requirements"] as JsonArray ?? [];
        for (var r = 0; r < requirements.Count; r++)
        {
            var cases = (requirements[r] as JsonObject)?["cases"] as JsonArray ?? [];
            for (var c = 0; c < cases.Count; c++)
            {
                if (cases[c] is JsonObject @case)
                {
                    yield return ($"/requirements/{r}/cases/{c}", @case);
                }
            }
        }
    }
}
