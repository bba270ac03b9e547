using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Cofi.Management.Security;

/// <summary>
/// One token bucket per caller (<see cref="ApiLimits"/>): the token's name, or the client address for requests without
/// a known token and when no tokens are configured. A refused request is a 429 with <c>Retry-After</c> and problem details.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddCofiRateLimits(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var limits = http.RequestServices.GetRequiredService<AccessSettings>().Limits;
            if (!limits.RateLimited) return RateLimitPartition.GetNoLimiter("unlimited");
            var name = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null;
            var key = name is not null && name != TokenAuthentication.OpenName ? "token:" + name : "address:" + http.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = limits.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        options.OnRejected = async (context, cancel) =>
        {
            var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var limits = http.RequestServices.GetRequiredService<AccessSettings>().Limits;
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "too many requests",
                detail: $"at most {limits.RequestsPerSecond} requests a second (bursts of {limits.Burst}) per token or client address; retry after {seconds} s")
                .ExecuteAsync(http);
        };
    });
}
