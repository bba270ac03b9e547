using Akka.Configuration;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Hosting;

/// <summary>What a node's actors are built with: its configuration, database, executors and clock.</summary>
/// <param name="Environment">where the EventWriter reads its environment overrides; null: the process environment.</param>
public sealed record NodeServices(Config Config, CofiSettings Settings, DatabaseSettings Database, IExecutorProvider Executors, TimeProvider Clock,
    Func<string, string?>? Environment = null);
