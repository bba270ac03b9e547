using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Cofi.Lighthouse;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

LighthouseSettings settings;
try
{
    settings = LighthouseSettings.FromEnvironment(Environment.GetEnvironmentVariables());
}
catch (LighthouseConfigurationException e)
{
    Console.Error.WriteLine($"lighthouse: {e.Message}");
    return 3;
}

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAkka(settings.ActorSystem, akka => akka
    // A seed node only: it hosts no Cofi actor, so it never has to read Cofi's messages.
    .AddHocon("""
        akka.loglevel = INFO
        akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
        akka.cluster.split-brain-resolver.active-strategy = keep-majority
        akka.cluster.split-brain-resolver.stable-after = 20s
        """, HoconAddMode.Prepend)
    .WithRemoting(settings.Ip, settings.Port)
    .WithClustering(new ClusterOptions { Roles = ["lighthouse"], SeedNodes = settings.Seeds.ToArray() }));

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"lighthouse: {settings.SelfAddress} (seeds: {string.Join(", ", settings.Seeds)})");
var cluster = Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<ActorSystem>());
cluster.RegisterOnMemberUp(() => Console.WriteLine($"lighthouse: up at {cluster.SelfAddress}"));
await host.WaitForShutdownAsync();
Console.WriteLine("lighthouse: left the cluster");
return 0;
