using System.Text;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>
/// A careless provider's habit, for the leak tests: the credential headers it received, echoed back in every
/// form a provider might use: as they came, base64 (standard and URL-safe, also inside Basic-style pairs), hex,
/// and \u-escaped inside the JSON text (which a JSON reader would decode back to the raw value).
/// </summary>
internal static class MockEcho
{
    /// <summary>The echo as a JSON object; the \u-escaped form is marked by a placeholder for <see cref="Escape"/>.</summary>
    public static JsonObject Of(ApiContract contract, HttpContext http)
    {
        var echo = new JsonObject();
        foreach (var credential in contract.Auth.Credentials)
        {
            var value = http.Request.Headers[credential.Name].ToString();
            var bytes = Encoding.UTF8.GetBytes(value);
            echo[credential.Name] = value;
            echo[credential.Name + ".base64"] = Convert.ToBase64String(bytes);
            echo[credential.Name + ".base64url"] = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            echo[credential.Name + ".basic"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + value));
            echo[credential.Name + ".hex"] = Convert.ToHexString(bytes);
            echo[credential.Name + ".escaped"] = EscapeMark + value + EscapeMark;
        }

        return echo;
    }

    private const string EscapeMark = "\u0001escape\u0001";

    /// <summary>The JSON text with every marked value written as \uXXXX escapes, character by character.</summary>
    public static string Escape(string json)
    {
        var mark = System.Text.Json.JsonSerializer.Serialize(EscapeMark).Trim('"');
        var parts = json.Split(mark);
        var sb = new StringBuilder(parts[0]);
        for (var i = 1; i < parts.Length; i += 2)
        {
            sb.Append(string.Concat(parts[i].Select(c => $"\\u{(int)c:x4}")));
            if (i + 1 < parts.Length)
            {
                sb.Append(parts[i + 1]);
            }
        }

        return sb.ToString();
    }
}
