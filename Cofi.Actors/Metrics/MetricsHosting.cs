using Akka.Hosting;

namespace Cofi.Actors.Metrics;

public static class MetricsHosting
{
    /// <summary>The <see cref="MetricsCollector"/> that keeps the stage gauges and ETAs of the batches this node runs.</summary>
    public static AkkaConfigurationBuilder AddCofiMetrics(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, _) => system.ActorOf(MetricsCollector.Props(CofiMetrics.Get(system)), MetricsCollector.Name));
}
