using Cofi.Actors.Batches;

namespace Cofi.Web.Tests.Support;

/// <summary>One web host for the API specs, holding one finished batch of 30 files (2 of them corrupt).</summary>
public sealed class CompletedBatch : IAsyncLifetime
{
    public const int Files = 30;

    public CofiWeb Web { get; private set; } = null!;

    public long BatchId { get; private set; }

    public BatchSummary Summary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await CofiWeb.StartAsync();
        BatchId = await Web.SubmitAsync(Web.Samples("first", Files, corrupt: 2));
        Summary = await Web.WaitForEndAsync(BatchId);
    }

    public async Task DisposeAsync() => await Web.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CompletedBatch>
{
    public const string Name = "api";
}
