using NJsonSchema;

namespace ConformanceSuite.Contracts;

/// <summary>The enums a JSON Schema declares, by the JSON pointer of the property that carries each.</summary>
public static class SchemaEnums
{
    public static IEnumerable<(string Pointer, IReadOnlyList<string> Values)> Find(JsonSchema schema, string prefix = "", int depth = 0)
    {
        if (depth > 4)
        {
            yield break;
        }

        foreach (var (name, property) in schema.ActualSchema.ActualProperties)
        {
            var actual = property.ActualSchema;
            var pointer = $"{prefix}/{name}";
            var values = actual.Enumeration.Where(v => v is not null).Select(v => v!.ToString()!).ToList();
            if (values.Count > 0)
            {
                yield return (pointer, values);
            }

            foreach (var nested in Find(actual, pointer, depth + 1))
            {
                yield return nested;
            }
        }
    }
}
