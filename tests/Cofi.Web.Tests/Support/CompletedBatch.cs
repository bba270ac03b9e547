using Cofi.Actors.Batches;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;

namespace Cofi.Web.Tests.Support;

/// <summary>One web host for the API specs, holding one finished batch of 30 files (2 of them corrupt), its read model written.</summary>
public class CompletedBatch : IAsyncLifetime
{
    public const int Files = 30;

    public CofiWeb Web { get; private set; } = null!;

    public long BatchId { get; private set; }

    public BatchSummary Summary { get; private set; } = null!;

    /// <summary>null: SQLite.</summary>
    protected virtual DatabaseSettings? Database => null;

    public async Task InitializeAsync()
    {
        Web = await CofiWeb.StartAsync(database: Database);
        BatchId = await Web.SubmitAsync(Web.Samples("first", Files, corrupt: 2));
        Summary = await Web.WaitForEndAsync(BatchId);
        await Web.DrainReadModelAsync();
    }

    public virtual async Task DisposeAsync() => await Web.DisposeAsync();
}

/// <summary>The same finished batch, journal and read model on the MariaDB test server.</summary>
public sealed class CompletedBatchOnMariaDb : CompletedBatch
{
    private readonly MySqlTestDatabase _database = new();

    protected override DatabaseSettings Database => _database.Settings;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CompletedBatch>
{
    public const string Name = "api";
}

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<CompletedBatchOnMariaDb>
{
    public const string Name = "api on mariadb";
}
