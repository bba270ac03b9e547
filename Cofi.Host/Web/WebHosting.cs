using System.Text.Json;
using System.Text.Json.Serialization;
using Cofi.Host.Web.Audit;
using Cofi.Host.Web.Events;
using Cofi.Management.Security;
using Cofi.Host.Web.History;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Cofi.Host.Web;

/// <summary>The web part of the process: REST API, SSE, OpenAPI document and the dashboard's static files.</summary>
public static class WebHosting
{
    public static WebApplicationBuilder AddCofiWeb(this WebApplicationBuilder builder, WebSettings web)
    {
        builder.WebHost.ListenWithTls(web.Bind, web.Port, web.Certificate);
        builder.Services.AddSingleton(web);
        builder.Services.AddSingleton(web.Access);
        builder.Services.AddSingleton<ReadModelEvents>();
        builder.Services.AddSingleton<BatchReads>();
        builder.Services.AddSingleton<ReadModelResults>();
        builder.Services.AddSingleton<ReadModelAuditTrail>();
        builder.Services.AddSingleton<Management.Audit.IAuditTrail>(services => services.GetRequiredService<ReadModelAuditTrail>());
        builder.Services.AddSingleton(CoordinatorPalettes.Batch);
        builder.Services.AddSingleton(CoordinatorPalettes.Gpu);
        builder.Services.AddSingleton(CoordinatorPalettes.File);
        builder.Services.AddSingleton(CoordinatorPalettes.Audit);
        builder.Services.AddSingleton<Management.ICompletionSource, BatchCompletion>();
        builder.Services.AddSingleton<Management.ICompletionSource, NodeCompletion>();
        builder.Services.AddSingleton<Management.ICompletionSource, MachineCompletion>();
        builder.Services.AddSingleton<Management.ICompletionSource, StageCompletion>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ManagerTimeoutHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            // Numbers are numbers: the OpenAPI document then describes request bodies the way JsonBody reads them.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        return builder;
    }

    public static WebApplication MapCofiWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.UseCofiAccess();
        app.MapOpenApi("/openapi/v1.json").RequireRole(Role.Viewer);
        app.MapBatchApi();
        app.MapStreamApi();
        app.MapEventApi();
        app.MapClusterApi();
        app.MapMachineApi();
        app.MapResultsApi();
        app.MapAuditApi();
        app.MapHistoryApi();
        app.MapPlanApi();
        app.MapPruneApi();
        return app;
    }
}
