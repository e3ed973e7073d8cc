using System.Text.Json.Serialization;

namespace ConformanceSuite.Contracts;

/// <summary>Where a rule comes from: a documentation page, or one of the project's assumptions.</summary>
public sealed record Basis
{
    [JsonPropertyName("doc")]
    public string? Doc { get; init; }

    [JsonPropertyName("section")]
    public string? Section { get; init; }

    [JsonPropertyName("assumption")]
    public string? Assumption { get; init; }

    [JsonIgnore]
    public bool IsAssumption => Assumption is not null;

    public static Basis Documented(string doc, string? section = null) => new() { Doc = doc, Section = section };

    public static Basis Assumed(string id) => new() { Assumption = id };

    public override string ToString() =>
        IsAssumption ? $"assumption {Assumption}" : Section is null ? $"doc {Doc}" : $"doc {Doc} §{Section}";
}
