using System.Globalization;
using System.Text.RegularExpressions;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace ConformanceSuite.Contracts;

/// <summary>
/// The string formats as their standards define them, stricter than the JSON Schema library's own checks
/// (which take a uuid without hyphens or in braces, a date-time with a space and no offset, and a path
/// for a uri): a uuid is 8-4-4-4-12 hex digits; a date-time is RFC 3339 (T, seconds, and Z or an offset); a
/// uri is absolute (it has a scheme) and holds no space or control character.
/// </summary>
public static partial class Formats
{
    public static bool IsUuid(string value) => UuidForm().IsMatch(value);

    public static bool IsDateTime(string value) =>
        DateTimeForm().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// Absolute, and without a space or a control character, which RFC 3986 allows nowhere in a URI: .NET's Uri trims
    /// them from the ends and escapes them inside, so it takes "http://host/a.csv\n" and "http://host/a b.csv".
    /// </summary>
    public static bool IsAbsoluteUri(string value) =>
        SchemeForm().IsMatch(value) && !HasSpaceOrControl(value) && Uri.TryCreate(value, UriKind.Absolute, out _);

    /// <summary>Whether the text holds a space or a control character (C0, DEL, C1).</summary>
    public static bool HasSpaceOrControl(string value) =>
        value.AsSpan().ContainsAnyInRange('\0', ' ') || value.AsSpan().ContainsAnyInRange('\u007f', '\u009f');

    /// <summary>The validator settings every body is checked with: the library's validators, these three replaced.</summary>
    public static JsonSchemaValidatorSettings ValidatorSettings { get; } = Settings();

    private static JsonSchemaValidatorSettings Settings()
    {
        IFormatValidator[] strict = [new Strict("uuid", ValidationErrorKind.GuidExpected, IsUuid), new Strict("date-time", ValidationErrorKind.DateTimeExpected, IsDateTime), new Strict("uri", ValidationErrorKind.UriExpected, IsAbsoluteUri)];
        var settings = new JsonSchemaValidatorSettings();
        settings.FormatValidators = [.. settings.FormatValidators.Where(v => strict.All(s => s.Format != v.Format)), .. strict];
        return settings;
    }

    // \z, not $: a .NET '$' also matches before a final newline, so "…052a\n" would pass for a uuid.
    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UuidForm();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeForm();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeForm();

    private sealed class Strict(string format, ValidationErrorKind kind, Func<string, bool> valid) : IFormatValidator
    {
        public string Format => format;

        public ValidationErrorKind ValidationErrorKind => kind;

        public bool IsValid(string value, Newtonsoft.Json.Linq.JTokenType tokenType) => tokenType != Newtonsoft.Json.Linq.JTokenType.String || valid(value);
    }
}
