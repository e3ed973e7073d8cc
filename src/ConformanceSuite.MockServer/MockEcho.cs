using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using Microsoft.AspNetCore.Http;

namespace ConformanceSuite.MockServer;

/// <summary>A careless provider's habit, for the leak test: the credential headers it received, echoed back.</summary>
internal static class MockEcho
{
    public static JsonObject Of(ApiContract contract, HttpContext http)
    {
        var echo = new JsonObject();
        foreach (var credential in contract.Auth.Credentials)
        {
            echo[credential.Name] = http.Request.Headers[credential.Name].ToString();
        }

        return echo;
    }
}
