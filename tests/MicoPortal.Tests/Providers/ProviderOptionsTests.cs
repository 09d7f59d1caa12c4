using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Providers;

/// <summary>Provider settings that cannot work are refused at start-up, not discovered when callbacks never come.</summary>
public class ProviderOptionsTests
{
    private static PortalFactory Staging(string? callbackUrl) => new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
    {
        ["Sandbox:Enabled"] = "false",
        ["Provider:BaseUrl"] = "https://provider.example/",
        ["Provider:ApiKey"] = "staging-provider-key",
        ["Provider:CallbackSecret"] = "staging-callback-secret",
        ["Provider:CallbackUrl"] = callbackUrl,
    })
    { Environment = "Staging" };

    [Fact]
    public async Task Outside_development_a_real_provider_needs_the_public_callback_url()
    {
        var portal = Staging(callbackUrl: null);
        try
        {
            // Guessed from the listening address it would be localhost or a container's address: the callbacks
            // would never arrive. The server refuses to start instead.
            var error = Assert.ThrowsAny<Exception>(() => portal.StartServer());
            Assert.Contains("Provider:CallbackUrl is required", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                await portal.DisposeAsync();
            }
            catch (Exception)
            {
                // A host that never started may not stop cleanly; nothing is left running.
            }
        }

        await using var configured = Staging(callbackUrl: "https://portal.example/api/v1/provider/callbacks");
        configured.StartServer();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await configured.CreateClient().GetAsync("/health/live")).StatusCode);
    }
}
