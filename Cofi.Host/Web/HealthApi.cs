using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web;

/// <summary>Liveness (the process answers) and readiness (the BatchManager has recovered and answers).</summary>
public static class HealthApi
{
    public sealed record Health(string Status);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new Health("alive"))).WithTags("health").WithName("Health");
        routes.MapGet("/ready", ReadyAsync).WithTags("health").WithName("Ready");
        return routes;
    }

    public static async Task<Results<Ok<Health>, ProblemHttpResult>> ReadyAsync(IRequiredActor<BatchManager> manager)
    {
        try
        {
            await manager.ActorRef.Ask<BatchList>(BatchQueries.GetBatches.Instance, TimeSpan.FromSeconds(5));
            return TypedResults.Ok(new Health("ready"));
        }
        catch (AskTimeoutException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready", detail: "the batch manager has not answered within 5 s");
        }
    }
}
