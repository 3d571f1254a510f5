using Switch.Host.Rest;

namespace Switch.Host.Tests.Rest;

public class UploadGateTests
{
    [Fact]
    public void Only_so_many_files_are_applied_at_once_and_a_finished_one_lets_the_next_in()
    {
        var gate = new UploadGate();

        var admitted = Enumerable.Range(0, UploadGate.Concurrent + 1).Select(_ => gate.TryEnter()).ToList();
        gate.Exit();

        Assert.Equal(UploadGate.Concurrent, admitted.Count(a => a));
        Assert.False(admitted[^1]);
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());
    }
}
