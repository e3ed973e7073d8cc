namespace ConformanceSuite.Http;

/// <summary>Removes secret values from everything the suite records (evidence, logs, reports).</summary>
public sealed class Redactor
{
    public const string Mask = "[redacted]";
    public const string InvalidMask = "[invalid test value]";

    /// <summary>The value sent in place of a credential when a check needs a wrong one. Never derived from a secret.</summary>
    public const string InvalidCredentialValue = "conformance-suite-invalid-credential-0000";

    private readonly List<string> secrets = [];
    private readonly HashSet<string> credentialNames = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Proxy-Authorization", "Cookie" };

    public void AddSecret(string? value)
    {
        // Very short values would redact ordinary text; they are still never logged as header values.
        if (!string.IsNullOrEmpty(value) && value.Length >= 4 && !secrets.Contains(value))
        {
            secrets.Add(value);
            secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
        }
    }

    public void AddCredentialName(string name) => credentialNames.Add(name);

    public bool IsCredentialName(string name) => credentialNames.Contains(name);

    public string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret)
            {
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string HeaderValue(string name, string value)
    {
        if (IsCredentialName(name))
        {
            return value == InvalidCredentialValue ? InvalidMask : Mask;
        }

        return Scrub(value);
    }
}
