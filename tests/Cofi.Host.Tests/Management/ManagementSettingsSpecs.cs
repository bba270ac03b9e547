using System.Net;
using Cofi.Management;

namespace Cofi.Host.Tests.Management;

public sealed class ManagementSettingsSpecs
{
    private static ManagementSettings Read(params (string Key, string Value)[] variables) =>
        ManagementSettings.FromEnvironment(key => variables.FirstOrDefault(v => v.Key == key).Value, ManagementSettings.DefaultPort);

    [Fact]
    public void Should_listen_on_loopback_at_the_default_port_when_nothing_is_set()
    {
        Read().ShouldBe(new ManagementSettings(IPAddress.Loopback, 9110));
    }

    [Fact]
    public void Should_take_the_default_port_the_caller_gives()
    {
        ManagementSettings.FromEnvironment(_ => null, 8080).Port.ShouldBe(8080);
    }

    [Fact]
    public void Should_read_the_port_and_the_bind_address()
    {
        Read(("COFI_MANAGEMENT_PORT", " 9200 "), ("COFI_MANAGEMENT_BIND", "0.0.0.0"))
            .ShouldBe(new ManagementSettings(IPAddress.Any, 9200));
        Read(("COFI_MANAGEMENT_BIND", "::1")).Bind.ShouldBe(IPAddress.IPv6Loopback);
    }

    [Fact]
    public void Should_take_port_0_as_any_free_port_and_an_empty_value_as_unset()
    {
        Read(("COFI_MANAGEMENT_PORT", "0")).Port.ShouldBe(0);
        Read(("COFI_MANAGEMENT_PORT", ""), ("COFI_MANAGEMENT_BIND", " ")).ShouldBe(new ManagementSettings(IPAddress.Loopback, 9110));
    }

    [Theory]
    [InlineData("COFI_MANAGEMENT_PORT", "forty", "is not a TCP port (0-65535)")]
    [InlineData("COFI_MANAGEMENT_PORT", "-1", "is not a TCP port (0-65535)")]
    [InlineData("COFI_MANAGEMENT_PORT", "65536", "is not a TCP port (0-65535)")]
    [InlineData("COFI_MANAGEMENT_PORT", "80.5", "is not a TCP port (0-65535)")]
    [InlineData("COFI_MANAGEMENT_BIND", "localhost", "is not an IP address")]
    [InlineData("COFI_MANAGEMENT_BIND", "10", "is not an IP address")]
    [InlineData("COFI_MANAGEMENT_BIND", "10.0.0", "is not an IP address")]
    [InlineData("COFI_MANAGEMENT_BIND", "256.0.0.1", "is not an IP address")]
    public void Should_refuse_a_value_it_cannot_use_naming_the_variable(string variable, string value, string problem)
    {
        var refusal = Should.Throw<ManagementConfigurationException>(() => Read((variable, value)));

        refusal.Key.ShouldBe(variable);
        refusal.Message.ShouldBe($"invalid configuration at '{variable}': '{value}' {problem}");
    }
}
