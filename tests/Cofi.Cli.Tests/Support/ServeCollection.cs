namespace Cofi.Cli.Tests.Support;

/// <summary>One single-node serve shared by the test classes of the collection (it starts in seconds, not for free).</summary>
public sealed class ServeFixture : IAsyncLifetime
{
    public ServeNode Serve { get; private set; } = null!;

    public async Task InitializeAsync() => Serve = await ServeNode.StartAsync();

    public async Task DisposeAsync() => await Serve.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ServeCollection : ICollectionFixture<ServeFixture>
{
    public const string Name = "single-node serve";
}
