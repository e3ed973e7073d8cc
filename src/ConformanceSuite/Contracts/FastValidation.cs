using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace ConformanceSuite.Contracts;

/// <summary>
/// A quick first pass of <see cref="SchemaValidator"/>: it reads a body already parsed by System.Text.Json against the
/// schema compiled once, and answers only "valid, for certain" or "not known". Certain means NJsonSchema, with the
/// suite's settings and pattern reading (<see cref="SchemaValidator"/>'s validator), would find no violation and
/// would not cut the body short: the same formats (the same validator objects), the same pattern verdicts under the
/// same bound, the same rules for types, nulls, enums, required and additional members, lengths and bounds.
/// Everything else is "not known", and the caller validates with NJsonSchema as before, which names the violations:
/// a body with anything wrong in it, a keyword this pass does not judge (<c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>,
/// <c>not</c>, tuples, <c>uniqueItems</c>, <c>multipleOf</c>, <c>patternProperties</c>, member counts), a number in
/// exponent form or past 15 digits, a value NJsonSchema reads another way (an enum member that is not a string),
/// nesting past 60 levels, or a container past <see cref="SchemaValidator.MaxValidatedElements"/> elements.
/// Why: a page of ten sessions took NJsonSchema about 250 µs (its Newtonsoft parse, then its validation), more than
/// fetching the page; the walk of a large tenant validates every page, and a right provider's pages are all valid.
/// </summary>
public static class FastValidation
{
    /// <summary>Deeper than this, the answer is "not known" (Newtonsoft's reader refuses past 64 levels).</summary>
    private const int MaxDepth = 60;

    /// <summary>The longest number text judged here: within a decimal's and a long's range, never in exponent form.</summary>
    private const int MaxNumberChars = 15;

    private static readonly ConditionalWeakTable<JsonSchema, Node> Compiled = new();

    private static readonly Dictionary<string, IFormatValidator[]> FormatValidators =
        Formats.ValidatorSettings.FormatValidators.GroupBy(v => v.Format).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// True only when <paramref name="root"/> is valid against <paramref name="schema"/> as NJsonSchema reads it, whole
    /// (nothing cut, no pattern past <paramref name="patternLimit"/>); false when that is not known here.
    /// </summary>
    public static bool IsCertainlyValid(JsonSchema schema, JsonElement root, TimeSpan patternLimit)
    {
        var node = Compiled.GetValue(schema.ActualSchema, s => Compile(s, new Dictionary<JsonSchema, Node>(ReferenceEqualityComparer.Instance)));
        try
        {
            return node.Accepts(root, patternLimit, 0);
        }
        catch (Exception ex) when (ex is RegexMatchTimeoutException or InvalidOperationException or FormatException)
        {
            // A pattern past its bound (NJsonSchema's pass names it), or a string System.Text.Json will not decode.
            return false;
        }
    }

    /// <summary>The same, for JSON text: false too when System.Text.Json does not parse it (NJsonSchema's pass says why).</summary>
    public static bool IsCertainlyValid(JsonSchema schema, string json, TimeSpan patternLimit)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return IsCertainlyValid(schema, document.RootElement, patternLimit);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Node Compile(JsonSchema schema, Dictionary<JsonSchema, Node> done)
    {
        schema = schema.ActualSchema;
        if (done.TryGetValue(schema, out var known))
        {
            return known;
        }

        var node = new Node();
        done[schema] = node; // before the parts: a schema may reach itself
        node.Judged = schema.AllOf.Count == 0 && schema.AnyOf.Count == 0 && schema.OneOf.Count == 0 && schema.Not is null
                      && schema.Items.Count == 0 && !schema.UniqueItems && schema.MultipleOf is null && schema.PatternProperties.Count == 0
                      && schema.MaxProperties == 0 && schema.MinProperties == 0 && !schema.Type.HasFlag(JsonObjectType.File)
                      && schema.Enumeration.All(v => v is null or string);
        if (!node.Judged)
        {
            return node;
        }

        node.Types = schema.Type;
        node.NullValid = schema.Type.HasFlag(JsonObjectType.Null)
                         || (schema.Type == JsonObjectType.None && schema.Enumeration.Contains(null) && schema.RequiredProperties.Count == 0);
        node.Enum = schema.Enumeration.Count > 0 ? [.. schema.Enumeration.OfType<string>()] : null;
        node.Pattern = string.IsNullOrEmpty(schema.Pattern) ? null : schema.Pattern;
        node.MinLength = schema.MinLength;
        node.MaxLength = schema.MaxLength;
        node.Formats = !string.IsNullOrEmpty(schema.Format) && FormatValidators.TryGetValue(schema.Format, out var validators) ? validators : null;
        node.Minimum = schema.Minimum;
        node.Maximum = schema.Maximum;
        node.MinimumExclusive = schema.IsExclusiveMinimum;
        node.MaximumExclusive = schema.IsExclusiveMaximum;
        node.ExclusiveMinimum = schema.ExclusiveMinimum;
        node.ExclusiveMaximum = schema.ExclusiveMaximum;
        node.MinItems = schema.MinItems;
        node.MaxItems = schema.MaxItems;
        node.Item = schema.Item is { } item ? Compile(item, done) : null;
        node.Properties = new Dictionary<string, Node>(StringComparer.Ordinal);
        node.ByName = node.Properties.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var (name, property) in schema.Properties)
        {
            node.Properties[name] = Compile(property, done);
        }

        node.Required = [.. schema.RequiredProperties.Union(schema.Properties.Where(p => p.Value.IsRequired).Select(p => p.Key), StringComparer.Ordinal)];
        node.Additional = schema.AdditionalPropertiesSchema is { } additional ? Compile(additional, done) : null;
        node.AdditionalAllowed = schema.AllowAdditionalProperties;
        return node;
    }

    /// <summary>
    /// Whether a value no schema judges is within the bounds NJsonSchema's pass keeps to anyway: no container past
    /// <see cref="SchemaValidator.MaxValidatedElements"/> (that pass would say it was cut) and no nesting past
    /// <see cref="MaxDepth"/> (the reader would refuse it).
    /// </summary>
    private static bool Unjudged(JsonElement value, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        var count = 0;
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var element in value.EnumerateArray())
                {
                    if (++count > SchemaValidator.MaxValidatedElements || !Unjudged(element, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    if (++count > SchemaValidator.MaxValidatedElements || !Unjudged(member.Value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>One schema, compiled: what its keywords ask of a value.</summary>
    private sealed class Node
    {
        /// <summary>False when the schema has a keyword this pass leaves to NJsonSchema.</summary>
        public bool Judged;
        public JsonObjectType Types;
        public bool NullValid;
        public string[]? Enum;
        public string? Pattern;
        public int? MinLength;
        public int? MaxLength;
        public IFormatValidator[]? Formats;
        public decimal? Minimum;
        public decimal? Maximum;
        public bool MinimumExclusive;
        public bool MaximumExclusive;
        public decimal? ExclusiveMinimum;
        public decimal? ExclusiveMaximum;
        public int MinItems;
        public int MaxItems;
        public Node? Item;
        public Dictionary<string, Node> Properties = [];

        /// <summary><see cref="Properties"/> by a name's characters, so that a member's name is looked up without a string of its own.</summary>
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> ByName;
        public string[] Required = [];
        public Node? Additional;
        public bool AdditionalAllowed = true;

        public bool Accepts(JsonElement value, TimeSpan limit, int depth)
        {
            if (!Judged || depth > MaxDepth)
            {
                return false;
            }

            return value.ValueKind switch
            {
                JsonValueKind.Null => NullValid,
                JsonValueKind.String => OfType(JsonObjectType.String) && (!AsksOfText || (AsksOnlyEnum ? InEnum(value) : AcceptsString(value.GetString()!, limit))),
                JsonValueKind.Number => AcceptsNumber(value),
                JsonValueKind.True or JsonValueKind.False => OfType(JsonObjectType.Boolean) && Enum is null,
                JsonValueKind.Array => OfType(JsonObjectType.Array) && Enum is null && AcceptsArray(value, limit, depth),
                JsonValueKind.Object => OfType(JsonObjectType.Object) && Enum is null && AcceptsObject(value, limit, depth),
                _ => false,
            };
        }

        /// <summary>Whether a string's text is judged at all (else any string will do, unread).</summary>
        private bool AsksOfText => Enum is not null || Pattern is not null || MinLength is not null || MaxLength is not null || Formats is not null;

        /// <summary>Whether a string's text is asked only to be a member of the enum: compared where it lies, not copied.</summary>
        private bool AsksOnlyEnum => Enum is not null && Pattern is null && MinLength is null && MaxLength is null && Formats is null;

        private bool InEnum(JsonElement value)
        {
            foreach (var member in Enum!)
            {
                if (value.ValueEquals(member))
                {
                    return true;
                }
            }

            return false;
        }

        private bool OfType(JsonObjectType type) => Types == JsonObjectType.None || Types.HasFlag(type);

        private bool AcceptsString(string text, TimeSpan limit)
        {
            if (Enum is { } members && Array.IndexOf(members, text) < 0)
            {
                return false;
            }

            if (Pattern is { } pattern)
            {
                // Both readings, as SchemaValidator's validator matches them: either past the bound leaves the answer to it.
                PatternBound.IsMatch(pattern, text, limit);
                if (!PatternBound.IsSchemaMatch(pattern, text, limit))
                {
                    return false;
                }
            }

            return (MinLength is not { } min || text.Length >= min)
                   && (MaxLength is not { } max || text.Length <= max)
                   && (Formats is null || AnyFormatTakes(text));
        }

        private bool AnyFormatTakes(string text)
        {
            foreach (var format in Formats!)
            {
                if (format.IsValid(text, JTokenType.String))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AcceptsNumber(JsonElement value)
        {
            // Newtonsoft reads a number without a point as an integer (and a number in exponent form is left to it).
            var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
            var integral = raw.IndexOf((byte)'.') < 0;
            if (Enum is not null || raw.Length > MaxNumberChars || raw.IndexOfAny((byte)'e', (byte)'E') >= 0
                || !(OfType(JsonObjectType.Number) || (integral && OfType(JsonObjectType.Integer)))
                || !value.TryGetDecimal(out var number))
            {
                return false;
            }

            return (Minimum is not { } min || (MinimumExclusive ? number > min : number >= min))
                   && (Maximum is not { } max || (MaximumExclusive ? number < max : number <= max))
                   && (ExclusiveMinimum is not { } exclusiveMin || number > exclusiveMin)
                   && (ExclusiveMaximum is not { } exclusiveMax || number < exclusiveMax);
        }

        private bool AcceptsArray(JsonElement array, TimeSpan limit, int depth)
        {
            var count = array.GetArrayLength();
            if (count > SchemaValidator.MaxValidatedElements || (MinItems > 0 && count < MinItems) || (MaxItems > 0 && count > MaxItems))
            {
                return false;
            }

            foreach (var element in array.EnumerateArray())
            {
                if (Item is { } item ? !item.Accepts(element, limit, depth + 1) : !Unjudged(element, depth + 1))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The schema of the member's name, or null. A name as it was sent (no escapes, as nearly every one is) is read into
        /// characters on the stack and looked up as they are; any other is unescaped into a string first.
        /// </summary>
        private Node? Named(JsonProperty member) =>
            JsonNames.TryPlain(member, stackalloc char[JsonNames.MaxStackName], out var name)
                ? ByName.TryGetValue(name, out var found) ? found : null
                : Properties.TryGetValue(member.Name, out var named) ? named : null;

        private bool AcceptsObject(JsonElement obj, TimeSpan limit, int depth)
        {
            var members = 0;
            foreach (var member in obj.EnumerateObject())
            {
                // A name given twice: each value must be valid, so that whichever one a reader keeps is.
                if (++members > SchemaValidator.MaxValidatedElements)
                {
                    return false;
                }

                var schema = Named(member) ?? Additional;
                if (schema is null ? !AdditionalAllowed || !Unjudged(member.Value, depth + 1) : !schema.Accepts(member.Value, limit, depth + 1))
                {
                    return false;
                }
            }

            foreach (var name in Required)
            {
                if (!obj.TryGetProperty(name, out _))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
