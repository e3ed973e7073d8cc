using System.Text;
using System.Text.Json;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>Credential checking shared by the generic mocks, with its three fault modes.</summary>
internal static class MockAuth
{
    public static readonly IReadOnlyDictionary<string, string> Faults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["auth-missing-accepted"] = "a request without credentials is answered 200",
        ["auth-scheme-unchecked"] = "a credential without its scheme (the bare token) is accepted",
        ["auth-token-unchecked"] = "any token is accepted, as long as the scheme is right",
        [HalfChecked] = "a credential of the right length is accepted when its first half is right (as a JWT whose signature is not verified)",
    };

    /// <summary>The fault that compares only the first half of a credential's value.</summary>
    public const string HalfChecked = "auth-token-half-checked";

    /// <summary>What <see cref="HalfChecked"/> accepts: the right length, and the first half of <paramref name="expected"/>.</summary>
    public static bool HalfMatches(string given, string expected) =>
        given.Length == expected.Length && given.StartsWith(expected[..(expected.Length / 2)], StringComparison.Ordinal);

    /// <summary>Null when the request may proceed; otherwise the refusal.</summary>
    /// <param name="acceptPactExamples">Also accept the consumer pacts' example credentials.</param>
    public static IResult? Check(ApiContract contract, IReadOnlyDictionary<string, string> credentials, HttpContext http, IReadOnlySet<string> faults, bool acceptPactExamples)
    {
        foreach (var credential in contract.Auth.Credentials)
        {
            var token = credentials[credential.Name];
            var scheme = credential.Scheme is null ? "" : credential.Scheme + " ";
            var given = http.Request.Headers[credential.Name].ToString();
            if (given.Length == 0)
            {
                if (faults.Contains("auth-missing-accepted"))
                {
                    continue;
                }

                return Error(contract.Auth.Rejection.Status, $"missing {credential.Name}");
            }

            var ok = given == scheme + token || (acceptPactExamples && given == scheme + PactExamples.For(credential.Name))
                     || (faults.Contains("auth-scheme-unchecked") && given == token)
                     || (faults.Contains("auth-token-unchecked") && given.StartsWith(scheme, StringComparison.Ordinal) && given.Length > scheme.Length)
                     || (faults.Contains(HalfChecked) && given.StartsWith(scheme, StringComparison.Ordinal) && HalfMatches(given[scheme.Length..], token));
            if (!ok)
            {
                return Error(contract.Auth.Rejection.Status, $"invalid {credential.Name}");
            }
        }

        return null;
    }

    public static IResult Error(int status, string message) =>
        Results.Text(JsonSerializer.Serialize(new { error = message }), "application/json; charset=utf-8", Encoding.UTF8, status);
}
