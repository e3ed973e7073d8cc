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
        foreach (var @case in Cases(results))
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
                    var at = finding.IndexOf("evidence");
                    finding.RemoveAt(at);
                    finding.Insert(at, "exchange", place);
                }
            }
        }
    }

    /// <summary>
    /// The reverse of <see cref="ShareEvidence"/>, for reading results.json back: each finding's <c>exchange</c>
    /// becomes a copy of the case's exchange it names. Returns where a place names no exchange, or null.
    /// </summary>
    public static string? ResolveEvidence(JsonNode results)
    {
        // Any other shape is left to the reader, which says what it is not.
        var r = 0;
        foreach (var requirement in ((results as JsonObject)?["requirements"] as JsonArray ?? []).ToList())
        {
            var c = 0;
            foreach (var @case in ((requirement as JsonObject)?["cases"] as JsonArray ?? []).ToList())
            {
                var f = 0;
                var evidence = (@case as JsonObject)?["evidence"] as JsonArray;
                foreach (var finding in ((@case as JsonObject)?["findings"] as JsonArray ?? []).ToList())
                {
                    if (finding is JsonObject o && o.TryGetPropertyValue("exchange", out var place))
                    {
                        var pointer = $"/requirements/{r}/cases/{c}/findings/{f}/exchange";
                        if (place is not JsonValue v || !v.TryGetValue<int>(out var i) || evidence is null || i < 0 || i >= evidence.Count)
                        {
                            return pointer;
                        }

                        var at = o.IndexOf("exchange");
                        o.RemoveAt(at);
                        o.Insert(at, "evidence", evidence[i]?.DeepClone());
                    }

                    f++;
                }

                c++;
            }

            r++;
        }

        return null;
    }

    private static IEnumerable<JsonObject> Cases(JsonNode results) =>
        ((results as JsonObject)?["requirements"] as JsonArray ?? []).SelectMany(r => (r as JsonObject)?["cases"] as JsonArray ?? []).OfType<JsonObject>();
}
