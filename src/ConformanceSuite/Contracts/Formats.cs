using System.Globalization;
using System.Text.RegularExpressions;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace ConformanceSuite.Contracts;

/// <summary>
/// The string formats as their standards define them, stricter than the JSON Schema library's own checks
/// (which take a uuid without hyphens or in braces, a date-time with a space and no offset, and a path
/// for a uri): a uuid is 8-4-4-4-12 hex digits; a date-time is RFC 3339 (T, seconds, and Z or an offset); a
/// uri is absolute (it has a scheme).
/// </summary>
public static partial class Formats
{
    public static bool IsUuid(string value) => UuidForm().IsMatch(value);

    public static bool IsDateTime(string value) =>
        DateTimeForm().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    public static bool IsAbsoluteUri(string value) =>
        SchemeForm().IsMatch(value) && Uri.TryCreate(value, UriKind.Absolute, out _);

    /// <summary>The validator settings every body is checked with: the library's validators, these three replaced.</summary>
    public static JsonSchemaValidatorSettings ValidatorSettings { get; } = Settings();

    private static JsonSchemaValidatorSettings Settings()
    {
        IFormatValidator[] strict = [new Strict("uuid", ValidationErrorKind.GuidExpected, IsUuid), new Strict("date-time", ValidationErrorKind.DateTimeExpected, IsDateTime), new Strict("uri", ValidationErrorKind.UriExpected, IsAbsoluteUri)];
        var settings = new JsonSchemaValidatorSettings();
        settings.FormatValidators = [.. settings.FormatValidators.Where(v => strict.All(s => s.Format != v.Format)), .. strict];
        return settings;
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex UuidForm();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
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
