using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>Judging responses the same way in every check.</summary>
public static class Expect
{
    /// <summary>
    /// A request that breaks a rule must be refused with <paramref name="rejection"/>'s status.
    /// Being accepted (or a server error) breaks the rule itself (<paramref name="ruleBasis"/>);
    /// another 4xx breaks only the status code's basis; a tolerated status is a deviation.
    /// </summary>
    public static void Rejected(CheckRun run, HttpExchange exchange, Rejection rejection, Basis ruleBasis, string what)
    {
        run.Keep(exchange);
        var expected = rejection.Status;
        if (exchange.Error is not null || exchange.BlockedRedirect is not null)
        {
            run.Fail(what, Finding.OfResponse(expected, exchange), ruleBasis, exchange);
            return;
        }

        var status = exchange.Status!.Value;
        if (status == expected)
        {
            return;
        }

        if (rejection.Tolerated.Contains(status))
        {
            run.Fail(what, new StatusMismatch(expected, status, StatusReading.Tolerated), Basis.Assumed(rejection.Basis.Assumption ?? "tolerated"), exchange);
        }
        else if (status < 400)
        {
            run.Fail(what, new StatusMismatch(expected, status, StatusReading.NotRefused), ruleBasis, exchange);
        }
        else if (status >= 500)
        {
            run.Fail(what, new StatusMismatch(expected, status, StatusReading.ServerError), ruleBasis, exchange);
        }
        else
        {
            run.Fail(what, new StatusMismatch(expected, status, StatusReading.Other), rejection.Basis, exchange);
        }
    }

    public static string MediaType(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
}
