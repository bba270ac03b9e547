using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cofi.Management;

/// <summary>
/// The host's <see cref="ActorSystem"/> once the host has started, and null before. Resolving the ActorSystem from
/// DI creates it (Akka.Hosting registers a factory), so a scrape or a probe that arrives while the host is still
/// starting must not be the one that does.
/// </summary>
public sealed class StartedActorSystem(IServiceProvider services, IHostApplicationLifetime lifetime)
{
    public ActorSystem? Get() =>
        lifetime.ApplicationStarted.IsCancellationRequested ? services.GetService<ActorSystem>() : null;
}
