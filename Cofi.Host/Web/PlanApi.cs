using Akka.Actor;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using Cofi.Actors.Planning;
using Cofi.Management;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web;

/// <summary>The capacity planner: a batch's predicted makespan, stage utilization, bottleneck, GPU-hours and cost.</summary>
public static class PlanApi
{
    /// <param name="Files">files to plan (default: the recorded batch's, else 10,000)</param>
    /// <param name="Machines">GPU machines (default: the configured ones)</param>
    /// <param name="FromBatch">take call times and the share of files each stage calls from this finished batch</param>
    public sealed record PlanRequest(int? Files = null, int? Machines = null, long? FromBatch = null, decimal PricePerGpuHour = 0, string? Reason = null, bool DryRun = false);

    /// <summary>The prediction, with what it rests on.</summary>
    public sealed record PlanAnswer(int Files, int Machines, string Basis, double MakespanSeconds, string Bottleneck, double GpuHours, decimal Cost,
        IReadOnlyList<StagePlan> Stages, string Report);

    public sealed record StagePlan(string Stage, int Calls, double Utilization, double BusySeconds);

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>(OperatorRequest.Expected)
    {
        ["files"] = "a whole number",
        ["machines"] = "a whole number",
        ["fromBatch"] = "a batch id",
        ["pricePerGpuHour"] = "a number",
    };

    public static IEndpointRouteBuilder MapPlanApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/plan", PlanAsync).WithTags("plan").WithName("PlanBatch").RequireRole(Role.Operator);
        return routes;
    }

    public static async Task<Results<Ok<PlanAnswer>, ProblemHttpResult>> PlanAsync(HttpRequest request, ActorSystem system, CofiSettings settings)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, Fields, new PlanRequest());
        if (refused is not null) return refused;
        if (body!.Files is < 1 or > 100_000_000) return Problems.Fields("files", "must be from 1 to 100,000,000");
        if (body.Machines is < 1 or > 10_000) return Problems.Fields("machines", "must be from 1 to 10,000");
        if (body.PricePerGpuHour < 0) return Problems.Fields("pricePerGpuHour", "must not be negative");
        var machines = body.Machines ?? (settings.Gpu.Machines.Count > 0 ? settings.Gpu.Machines.Count : settings.Simulated.GpuMachines);
        IReadOnlyList<StageProfile> profiles;
        int files;
        string basis;
        if (body.FromBatch is { } batchId)
        {
            if (await RecordedProfiles.ReadAsync(new JournalReader(system), settings.Pipeline, batchId) is not { } recorded) return Problems.BatchNotFound(batchId);
            (profiles, files, basis) = (recorded.Stages, body.Files ?? recorded.Files, $"batch {batchId}'s {recorded.Files:N0} recorded files");
        }
        else (profiles, files, basis) = (StageProfiles.FromConfiguration(settings.Pipeline), body.Files ?? 10_000, "the configuration's simulated latencies");
        var input = new PlanInput(files, machines, settings.Pipeline.Mode, profiles, body.PricePerGpuHour);
        var plan = CapacityPlanner.Predict(input);
        return TypedResults.Ok(new PlanAnswer(files, machines, basis, plan.Makespan.TotalSeconds, plan.Bottleneck, plan.GpuHours, plan.Cost,
            plan.Stages.Select(s => new StagePlan(s.Stage, s.Calls, s.Utilization, s.Busy.TotalSeconds)).ToList(), PlanReport.Write(input, plan, basis)));
    }
}
