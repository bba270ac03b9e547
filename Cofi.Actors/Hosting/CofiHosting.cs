using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Persistence;
using LinqToDB;
using LinqToDB.Interceptors;

namespace Cofi.Actors.Hosting;

/// <summary>The hosting extensions the process and the tests compose an ActorSystem from.</summary>
public static class CofiHosting
{
    /// <summary>Akka settings and serializers from hocon/, with <paramref name="config"/> (Cofi's loaded configuration) on top.</summary>
    public static AkkaConfigurationBuilder AddCofiConfig(this AkkaConfigurationBuilder builder, Config config) =>
        builder.AddHocon(config, HoconAddMode.Prepend);

    /// <summary>Journal, snapshots and read journal on <paramref name="db"/>.</summary>
    /// <param name="observer">an extra linq2db interceptor that sees every command (SQLite only), e.g. to count queries.</param>
    public static AkkaConfigurationBuilder AddCofiPersistence(this AkkaConfigurationBuilder builder, DatabaseSettings db, IInterceptor? observer = null)
    {
        builder.AddHocon(PersistenceHocon.For(db), HoconAddMode.Prepend);
        if (db.IsSqlite)
        {
            SqlitePragmas.EnableWal(db.ConnectionString);
            var options = new DataOptions().UseConnectionString(db.ProviderName, db.ConnectionString).UseInterceptor(new SqlitePragmas());
            if (observer is not null) options = options.UseInterceptor(observer);
            builder.AddSetup(new DataOptionsSetup(options));
        }
        return builder;
    }

    /// <summary>The BatchManager (and through it every batch's actors), registered as <see cref="BatchManager"/>.</summary>
    public static AkkaConfigurationBuilder AddCofiPipeline(this AkkaConfigurationBuilder builder, CofiSettings settings,
        IReadOnlyList<string> machines, IExecutorProvider executors, TimeProvider clock) =>
        builder.WithActors((system, registry) =>
            registry.Register<BatchManager>(system.ActorOf(BatchManager.Props(settings, machines, executors, clock), BatchManager.Name)));

    public static IReadOnlyList<string> SimulatedMachines(int count) =>
        Enumerable.Range(1, count).Select(i => $"gpu-{i}").ToList();
}
