namespace ConformanceSuite.Http;

/// <summary>How a call uses one credential: the real value, none, or a wrong one.</summary>
public enum CredentialMode
{
    Valid,
    Missing,
    Wrong,

    /// <summary>The real value without its scheme (for <c>Bearer</c> credentials).</summary>
    Malformed,

    /// <summary>The real value with one character changed (<see cref="CredentialSet.NearMiss"/>): a JWT with its signature altered.</summary>
    NearMiss,

    /// <summary>The real value with the case of its letters swapped (<see cref="CredentialSet.OtherCase"/>), the scheme as it is.</summary>
    OtherCase,
}

/// <summary>The credentials of one API and the only origin they may be sent to.</summary>
public sealed record CredentialSet(Uri Origin, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>Authorization schemes by credential name (<c>Bearer</c>); a credential without one is sent as it is.</summary>
    public IReadOnlyDictionary<string, string> Schemes { get; init; } = new Dictionary<string, string>();

    /// <summary>The header value for a credential used the given way.</summary>
    public string HeaderValue(string name, CredentialMode mode)
    {
        var scheme = Schemes.TryGetValue(name, out var s) ? s + " " : "";
        return mode switch
        {
            CredentialMode.Wrong => scheme + Http.Redactor.InvalidCredentialValue,
            CredentialMode.Malformed => Values[name],
            CredentialMode.NearMiss => scheme + (NearMiss(Values[name]) ?? throw new InvalidOperationException($"{name} has no letter or digit to change")),
            CredentialMode.OtherCase => scheme + (OtherCase(Values[name]) ?? throw new InvalidOperationException($"{name} has no letter to change")),
            _ => scheme + Values[name],
        };
    }

    /// <summary>
    /// <paramref name="value"/> with one letter or digit changed: the one nearest the middle of its last
    /// dot-separated part (a JWT's signature), the next letter or digit in the same range. A provider that checks
    /// only a token's form, its first part, or a JWT's claims without its signature takes it; one that verifies the
    /// value refuses it. Derived from a secret, so the session masks it as one. Null when there is no such character.
    /// </summary>
    public static string? NearMiss(string value)
    {
        var start = value.LastIndexOf('.') + 1;
        if (start == value.Length)
        {
            start = 0;
        }

        var middle = start + ((value.Length - start) / 2);
        // At the middle or after it first (a check of a token's first half misses it), then before it.
        var at = Enumerable.Range(middle, value.Length - middle).Concat(Enumerable.Range(0, middle).Reverse())
            .FirstOrDefault(i => char.IsAsciiLetterOrDigit(value[i]), -1);
        if (at < 0)
        {
            return null;
        }

        var c = value[at];
        var changed = c switch
        {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            _ => (char)(c + 1),
        };
        return string.Concat(value.AsSpan(0, at), [changed], value.AsSpan(at + 1));
    }

    /// <summary>
    /// <paramref name="value"/> with each ASCII letter in the other case: a token is case-sensitive, so a provider that
    /// compares it ignoring case takes it and one that verifies it refuses it. Derived from a secret, so the session
    /// masks it as one. Null when there is no letter.
    /// </summary>
    public static string? OtherCase(string value) =>
        value.Any(char.IsAsciiLetter)
            ? string.Concat(value.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : c))
            : null;

    public static string OriginOf(Uri url) => url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    /// <summary>
    /// Why a header value the HTTP stack cannot send (a credential's, a broker token's) is refused, naming its first such
    /// character and never the value; null when it can be sent. A control character (but tab) makes the stack throw on
    /// every request that would carry it (a token read from a file often keeps its line end); one outside ASCII makes it
    /// fail each such request unsent, which would be judged as a provider that never answered.
    /// </summary>
    public static string? UnsendableReason(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) && c < '\x80' && c != '\t')
            {
                return $"holds a control character (U+{(int)c:X4}): no HTTP header can carry one; remove it (a line end left from the file it was read from?)";
            }

            if (c > '\x7E')
            {
                return $"holds a character outside ASCII (U+{(int)c:X4}): the suite sends header values in ASCII only; give it as its receiver expects it on the wire";
            }
        }

        return null;
    }

    public bool BelongsTo(Uri url) => OriginOf(url) == OriginOf(Origin);
}

/// <summary>One request the suite wants to make.</summary>
public sealed record HttpCall
{
    public string Method { get; init; } = "GET";

    public required Uri Url { get; init; }

    /// <summary>Plain (non-credential) headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The credentials to attach; null sends none.</summary>
    public CredentialSet? Credentials { get; init; }

    /// <summary>Per credential name, how to use it; names not listed are sent valid.</summary>
    public IReadOnlyDictionary<string, CredentialMode> CredentialModes { get; init; } = new Dictionary<string, CredentialMode>();

    /// <summary>Shown in progress and evidence: why the suite made this request.</summary>
    public string Purpose { get; init; } = "";

    /// <summary>The request body (sent with <see cref="ContentType"/>); null sends none.</summary>
    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Same-origin redirects are followed unless this is false (the Pact relay hands every redirect to the verifier).</summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>The API this request belongs to (its traffic is judged for time and availability as a whole).</summary>
    public string? Api { get; init; }

    /// <summary>Whose traffic this is when it is not a check's own: <c>pact</c> for Pact verification, with the <see cref="Interaction"/>.</summary>
    public string? Channel { get; init; }

    /// <summary>The pact interaction a Pact request belongs to.</summary>
    public string? Interaction { get; init; }

    /// <summary>Paced by the target's rate limit (<c>rateLimit.requestsPerMinute</c>); false for a request to a service that limit is not about, a Pact Broker.</summary>
    public bool Paced { get; init; } = true;
}

/// <summary>The suite refused to send credentials to an origin they do not belong to.</summary>
public sealed class CredentialConfinementException : Exception
{
    public CredentialConfinementException(string message) : base(message) { }

    public CredentialConfinementException() { }

    public CredentialConfinementException(string message, Exception inner) : base(message, inner) { }
}
