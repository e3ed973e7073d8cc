using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace ConformanceSuite.Contracts;

/// <summary>One schema violation: where (a JSON pointer) and why, in words.</summary>
public sealed record SchemaViolation(string Pointer, string Reason)
{
    /// <summary>The kind of violation (NJsonSchema's name for it, e.g. <c>PropertyRequired</c>).</summary>
    public string Kind { get; init; } = "";

    public override string ToString() => $"at {(Pointer.Length == 0 ? "/" : Pointer)}: {Reason}";
}

/// <summary>Validates JSON against JSON Schemas (NJsonSchema) and reports violations as JSON pointers.</summary>
public static class SchemaValidator
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new(StringComparer.Ordinal);

    /// <summary>Loads (once) a schema file; a malformed schema is a configuration error.</summary>
    public static JsonSchema LoadSchema(string path)
    {
        var full = Path.GetFullPath(path);
        var lazy = Cache.GetOrAdd(full, p => new Lazy<JsonSchema>(() => ReadSchema(p)));
        try
        {
            return lazy.Value;
        }
        catch (ConfigurationException)
        {
            Cache.TryRemove(full, out _);
            throw;
        }
    }

    private static JsonSchema ReadSchema(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationException(path, "", "the JSON Schema file does not exist");
        }

        ParseJson(path, File.ReadAllText(path));
        try
        {
            return JsonSchema.FromFileAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw new ConfigurationException(path, "", $"not a usable JSON Schema: {ex.Message}");
        }
    }

    /// <summary>Parses JSON text, turning a syntax error into a located configuration error.</summary>
    public static JsonNode ParseJson(string file, string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
                   ?? throw new ConfigurationException(file, "", "the file holds JSON null, not an object");
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is null ? "" : $" (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
            throw new ConfigurationException(file, "", $"not valid JSON{where}: {FirstSentence(ex.Message)}");
        }
    }

    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, string json)
    {
        ICollection<ValidationError> errors;
        try
        {
            errors = schema.Validate(json, Formats.ValidatorSettings);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            return [new SchemaViolation("", $"not valid JSON: {FirstSentence(ex.Message)}")];
        }

        return errors.SelectMany(Flatten).Distinct().OrderBy(v => v.Pointer, StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, JsonNode node) =>
        Validate(schema, node.ToJsonString());

    /// <summary>Validates a data file against its format schema; throws a located error for the first violations.</summary>
    public static void EnsureValid(string file, JsonNode node, string formatSchemaPath)
    {
        var violations = Validate(LoadSchema(formatSchemaPath), node);
        if (violations.Count == 0)
        {
            return;
        }

        var first = violations[0];
        var more = violations.Count > 1
            ? $" (and {violations.Count - 1} more: {string.Join("; ", violations.Skip(1).Take(4))})"
            : "";
        throw new ConfigurationException(file, first.Pointer, first.Reason + more);
    }

    private static IEnumerable<SchemaViolation> Flatten(ValidationError error)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            // For oneOf/anyOf, the branch errors say more than "not one of"; keep the branch with fewest complaints.
            var best = child.Errors.Values.OrderBy(e => e.Count).First();
            if (best.Count > 0)
            {
                foreach (var inner in best.SelectMany(Flatten))
                {
                    yield return inner;
                }

                yield break;
            }
        }

        yield return new SchemaViolation(ToPointer(error), Describe(error)) { Kind = error.Kind.ToString() };
    }

    /// <summary>NJsonSchema paths look like <c>#/a.b[0].c</c>; JSON pointers like <c>/a/b/0/c</c>.</summary>
    public static string ToPointer(ValidationError error)
    {
        var path = error.Path ?? "#";
        if (error.Kind == ValidationErrorKind.PropertyRequired && error.Property is not null
            && path.EndsWith("." + error.Property, StringComparison.Ordinal))
        {
            path = path[..^(error.Property.Length + 1)];
        }
        else if (error.Kind == ValidationErrorKind.PropertyRequired && path == "#/" + error.Property)
        {
            path = "#";
        }

        var sb = new StringBuilder();
        var body = path.StartsWith('#') ? path[1..] : path;
        foreach (var ch in body.TrimStart('/'))
        {
            switch (ch)
            {
                case '.':
                case '[':
                    sb.Append('/');
                    break;
                case ']':
                    break;
                case '~':
                    sb.Append("~0");
                    break;
                case '/':
                    sb.Append("~1");
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }

        return sb.Length == 0 ? "" : "/" + sb;
    }

    private static string Describe(ValidationError e)
    {
        var prop = e.Property is null ? "" : $"'{e.Property}'";
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"required property {prop} is missing",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"property {prop} is not allowed here",
            ValidationErrorKind.NotInEnumeration => $"value is not one of the allowed values{AllowedValues(e)}",
            ValidationErrorKind.StringExpected => "expected a string",
            ValidationErrorKind.IntegerExpected => "expected an integer",
            ValidationErrorKind.NumberExpected => "expected a number",
            ValidationErrorKind.BooleanExpected => "expected a boolean",
            ValidationErrorKind.ObjectExpected => "expected an object",
            ValidationErrorKind.ArrayExpected => "expected an array",
            ValidationErrorKind.NullExpected => "expected null",
            ValidationErrorKind.StringTooShort => "string is too short",
            ValidationErrorKind.StringTooLong => "string is too long",
            ValidationErrorKind.PatternMismatch => $"value does not match the pattern {e.Schema?.Pattern}",
            ValidationErrorKind.TooFewItems => "array has too few items",
            ValidationErrorKind.TooFewProperties => "object has too few properties",
            ValidationErrorKind.NumberTooSmall => "number is too small",
            ValidationErrorKind.NumberTooBig => "number is too big",
            ValidationErrorKind.NotOneOf => "matches none (or more than one) of the allowed shapes",
            ValidationErrorKind.NotAnyOf => "matches none of the allowed shapes",
            ValidationErrorKind.DateTimeExpected => "expected an RFC 3339 date-time (T, seconds, and Z or an offset)",
            ValidationErrorKind.UriExpected => "expected an absolute URI (with a scheme)",
            ValidationErrorKind.GuidExpected => "expected a uuid in its canonical form (8-4-4-4-12 hex digits)",
            _ => $"{e.Kind} {prop}".Trim(),
        };
    }

    private static string AllowedValues(ValidationError e) =>
        e.Schema?.Enumeration is { Count: > 0 } values ? $" ({string.Join(", ", values.Select(v => v?.ToString() ?? "null"))})" : "";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
