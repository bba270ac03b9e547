using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Lighthouse;
using Cofi.Management;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

LighthouseSettings settings;
ManagementSettings management;
AccessSettings access;
try
{
    settings = LighthouseSettings.FromEnvironment(Environment.GetEnvironmentVariables());
    management = ManagementSettings.FromEnvironment(Environment.GetEnvironmentVariable, ManagementSettings.DefaultPort);
    access = AccessSettings.FromEnvironment(Environment.GetEnvironmentVariable);
}
catch (Exception e) when (e is LighthouseConfigurationException or ManagementConfigurationException)
{
    Console.Error.WriteLine($"lighthouse: {e.Message}");
    return 3;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddAkka(settings.ActorSystem, akka =>
{
    // A seed node only: it hosts no Cofi actor, so it never has to read Cofi's messages.
    akka.AddHocon("akka.loglevel = INFO", HoconAddMode.Prepend)
        // hocon/cluster.conf, as every Cofi.Host member has it: the same failure detector and split-brain resolver.
        .AddHocon(CofiConfig.Cluster, HoconAddMode.Prepend)
        .WithRemoting(settings.Ip, settings.Port)
        .WithClustering(new ClusterOptions { Roles = ["lighthouse"], SeedNodes = settings.SeedNodes() });
    if (settings.Tls is { } tls) akka.WithClusterTls(tls);
});
builder.Services.AddSingleton(access);
builder.ListenManagement(management).AddCofiManagement();
// Prometheus scrapes every few seconds: ASP.NET Core's request lines would drown the lighthouse's own.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

await using var app = builder.Build();
app.UseCofiAccess();
app.MapCofiManagement();
try
{
    await app.StartAsync();
}
catch (IOException e)
{
    Console.Error.WriteLine($"lighthouse: cannot serve management at {management.Bind}:{management.Port}: {e.Message}");
    await app.StopAsync();
    return 1;
}
Console.WriteLine($"lighthouse: {settings.SelfAddress} (seeds: {string.Join(", ", settings.SeedNodes())})");
// The addresses Kestrel bound (IServerAddressesFeature): with port 0, the port it chose.
Console.WriteLine($"lighthouse: management at {string.Join(", ", app.Urls)}");
var cluster = Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<ActorSystem>());
cluster.RegisterOnMemberUp(() => Console.WriteLine($"lighthouse: up at {cluster.SelfAddress}"));
await app.WaitForShutdownAsync();
Console.WriteLine("lighthouse: left the cluster");
return 0;
