using Akka.Actor;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Cofi.Host.Web;

/// <summary>
/// A command the BatchManager did not answer in time: in a cluster it is moving to another coordinator (or its
/// coordinator is overloaded), so the answer is 503 with Retry-After, which tells a client to send it again, not a 500.
/// </summary>
public sealed class ManagerTimeoutHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancel)
    {
        if (exception is not AskTimeoutException) return ValueTask.FromResult(false);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "batch manager unavailable",
                Detail = "the batch manager did not answer in time (a coordinator may be taking over); send the request again",
            },
        });
    }
}
