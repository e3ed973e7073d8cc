using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Engine.OpenApi;

/// <summary>
/// Turns a contract's body schema files (JSON Schema draft-07, referencing each other by file name) into
/// self-contained OpenAPI 3.1 components (JSON Schema 2020-12): one component per file, named after the file
/// (<c>list-body.schema.json</c> is <c>ListBody</c>); each file's <c>definitions</c> hoisted into components of
/// their own (<c>Session</c> + <c>sentiment</c> is <c>SessionSentiment</c>); every <c>$ref</c> rewritten to
/// <c>#/components/schemas/…</c>. Only keywords that hold schemas are walked, so a property named
/// <c>$ref</c> or an enum value stays as it is.
/// </summary>
internal sealed class SchemaInliner
{
    private const string ComponentPrefix = "#/components/schemas/";

    /// <summary>Keywords whose value is one schema.</summary>
    private static readonly HashSet<string> SchemaKeywords = new(StringComparer.Ordinal)
    {
        "items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    };

    /// <summary>Keywords whose value is an object of schemas by name.</summary>
    private static readonly HashSet<string> SchemaMapKeywords = new(StringComparer.Ordinal)
    {
        "properties", "patternProperties", "dependentSchemas",
    };

    /// <summary>Keywords whose value is an array of schemas.</summary>
    private static readonly HashSet<string> SchemaArrayKeywords = new(StringComparer.Ordinal)
    {
        "allOf", "anyOf", "oneOf", "prefixItems",
    };

    private readonly string folder;
    private readonly Dictionary<string, string> fileComponents = new(StringComparer.Ordinal);
    private readonly Queue<string> pending = new();
    private readonly HashSet<string> referenced = new(StringComparer.Ordinal);

    /// <param name="folder">The contract's folder: schema file names resolve against it.</param>
    public SchemaInliner(string folder)
    {
        this.folder = Path.GetFullPath(folder);
    }

    /// <summary>The components made so far, by name, in the order they were made.</summary>
    public OrderedDictionary<string, JsonObject> Components { get; } = new(StringComparer.Ordinal);

    /// <summary>The component that holds a schema file (named relative to the contract's folder), converting it and every file it references.</summary>
    public string Add(string file)
    {
        var name = ComponentOf(Path.GetFullPath(Path.Combine(folder, file)), file);
        while (pending.TryDequeue(out var next))
        {
            Convert(next);
        }

        return name;
    }

    /// <summary>Fails when a rewritten <c>$ref</c> names a component that was never made (a reference to a missing definition, say).</summary>
    public void EnsureResolved()
    {
        foreach (var target in referenced)
        {
            var name = target[ComponentPrefix.Length..].Split('/')[0];
            if (!Components.ContainsKey(name))
            {
                throw new ConfigurationException($"a body schema references {target}, which its files do not define");
            }
        }
    }

    private string ComponentOf(string path, string shownAs)
    {
        if (fileComponents.TryGetValue(path, out var known))
        {
            return known;
        }

        if (!File.Exists(path))
        {
            throw new ConfigurationException(shownAs, "", "a body schema references this file, which does not exist");
        }

        var stem = Path.GetFileName(path);
        foreach (var suffix in new[] { ".schema.json", ".json" })
        {
            if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem[..^suffix.Length];
                break;
            }
        }

        var name = Unique(Pascal(stem));
        fileComponents[path] = name;
        Components[name] = []; // reserved: filled when converted
        pending.Enqueue(path);
        return name;
    }

    private string Unique(string name)
    {
        var result = name.Length == 0 ? "Schema" : name;
        for (var n = 2; Components.ContainsKey(result); n++)
        {
            result = name + n.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }

    private void Convert(string path)
    {
        var name = fileComponents[path];
        var root = SchemaValidator.ParseJson(path, InputFile.ReadAllText(path, "contract file")) as JsonObject
                   ?? throw new ConfigurationException(path, "", "a body schema must be a JSON object");
        root.Remove("$schema");
        root.Remove("$id");
        var definitions = new List<(string Key, JsonObject Schema)>();
        foreach (var keyword in new[] { "definitions", "$defs" })
        {
            if (root[keyword] is JsonObject defs)
            {
                root.Remove(keyword);
                foreach (var (key, value) in defs.ToList())
                {
                    definitions.Add((key, value as JsonObject ?? throw new ConfigurationException(path, $"/{keyword}/{key}", "a definition must be a schema object")));
                }
            }
        }

        var fileName = Path.GetFileName(path);
        root.Insert(0, "x-contract-file", fileName);
        Rewrite(root, path);
        Components[name] = root;
        foreach (var (key, schema) in definitions)
        {
            var defName = DefinitionComponent(name, key);
            if (Components.ContainsKey(defName))
            {
                throw new ConfigurationException(path, $"/definitions/{key}", $"its component name {defName} is taken; rename the definition");
            }

            var detached = (JsonObject)schema.DeepClone();
            detached.Insert(0, "x-contract-file", $"{fileName}#/definitions/{key}");
            Rewrite(detached, path);
            Components[defName] = detached;
        }
    }

    private static string DefinitionComponent(string fileComponent, string key) => fileComponent + Pascal(key);

    /// <summary>Rewrites the references of one schema (and the schemas inside it) read from <paramref name="path"/>.</summary>
    private void Rewrite(JsonObject schema, string path)
    {
        // Draft-07 tuple items are 2020-12's prefixItems (and additionalItems its items).
        if (schema["items"] is JsonArray tuple)
        {
            schema.Remove("items");
            var rest = schema["additionalItems"];
            schema.Remove("additionalItems");
            schema["prefixItems"] = tuple;
            if (rest is not null)
            {
                schema["items"] = rest;
            }
        }

        foreach (var (key, value) in schema.ToList())
        {
            switch (value)
            {
                case JsonValue v when key == "$ref" && v.TryGetValue<string>(out var reference):
                    schema["$ref"] = Target(reference, path);
                    break;
                case JsonObject child when SchemaKeywords.Contains(key):
                    Rewrite(child, path);
                    break;
                case JsonObject map when SchemaMapKeywords.Contains(key):
                    foreach (var (_, member) in map)
                    {
                        if (member is JsonObject memberSchema)
                        {
                            Rewrite(memberSchema, path);
                        }
                    }

                    break;
                case JsonArray list when SchemaArrayKeywords.Contains(key):
                    foreach (var member in list)
                    {
                        if (member is JsonObject memberSchema)
                        {
                            Rewrite(memberSchema, path);
                        }
                    }

                    break;
            }
        }
    }

    private string Target(string reference, string path)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var filePart = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : Uri.UnescapeDataString(reference[(hash + 1)..]);
        if (filePart.Contains("://", StringComparison.Ordinal) || filePart.StartsWith('/'))
        {
            throw new ConfigurationException(path, "", $"the $ref '{reference}' is not a file beside the schema; only those can be inlined");
        }

        var targetFile = filePart.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, filePart));
        var component = ComponentOf(targetFile, filePart.Length == 0 ? path : filePart);
        string result;
        var segments = fragment.Split('/');
        if (fragment.Length == 0)
        {
            result = ComponentPrefix + component;
        }
        else if (segments.Length >= 3 && segments[0].Length == 0 && segments[1] is "definitions" or "$defs")
        {
            var rest = string.Join('/', segments.Skip(3));
            result = ComponentPrefix + DefinitionComponent(component, segments[2].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
                     + (rest.Length == 0 ? "" : "/" + rest);
        }
        else if (fragment.StartsWith('/'))
        {
            result = ComponentPrefix + component + fragment;
        }
        else
        {
            throw new ConfigurationException(path, "", $"the $ref '{reference}' has a fragment that is not a JSON pointer");
        }

        referenced.Add(result);
        return result;
    }

    /// <summary><c>list-body</c> is <c>ListBody</c>; <c>nullableString</c> is <c>NullableString</c>.</summary>
    internal static string Pascal(string text)
    {
        var result = new StringBuilder(text.Length);
        var upper = true;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return result.ToString();
    }
}
