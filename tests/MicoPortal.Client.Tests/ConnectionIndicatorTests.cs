using MicoPortal.Client.Components;
using MicoPortal.Client.Services;

namespace MicoPortal.Client.Tests;

public class ConnectionIndicatorTests : PortalTestContext
{
    [Theory]
    [InlineData(LiveConnectionState.Connected, "Live")]
    [InlineData(LiveConnectionState.Connecting, "Connecting…")]
    [InlineData(LiveConnectionState.Reconnecting, "Reconnecting…")]
    [InlineData(LiveConnectionState.Disconnected, "Offline")]
    public void Shows_each_hub_state(LiveConnectionState state, string label)
    {
        // Start from a different state so the change event, not the initial read, drives the label.
        Hub.SetState(state == LiveConnectionState.Connected ? LiveConnectionState.Disconnected : LiveConnectionState.Connected);
        var cut = RenderInHost<ConnectionIndicator>();

        Hub.SetState(state);

        cut.WaitForAssertion(() =>
        {
            var chip = cut.Find(".connection-indicator");
            Assert.Equal(state.ToString(), chip.GetAttribute("data-state"));
            Assert.Equal(label, chip.TextContent.Trim());
        });
    }

    [Fact]
    public void Reads_the_current_state_when_first_rendered()
    {
        Hub.SetState(LiveConnectionState.Reconnecting);

        var cut = RenderInHost<ConnectionIndicator>();

        Assert.Equal("Reconnecting…", cut.Find(".connection-indicator").TextContent.Trim());
    }
}
