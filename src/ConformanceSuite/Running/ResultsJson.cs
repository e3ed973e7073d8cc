using System.Text.Encodings.Web;
using System.Text.Json;
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
}
