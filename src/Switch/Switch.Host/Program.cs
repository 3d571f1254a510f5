using System.CommandLine;
using Switch.Host.Cli;

var root = new RootCommand("Switch: a national bill-payment switch. Run through ./switch, which sets up PostgreSQL and Redis.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(IsoCommand.Create());
root.Subcommands.Add(BanksCommand.Create());
root.Subcommands.Add(ReversalsCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(BillersCommand.Create());
root.Subcommands.Add(NotificationsCommand.Create());
root.Subcommands.Add(SimulateBillersCommand.Create());
root.Subcommands.Add(SettlementCommand.Create());
// serve handles SIGTERM itself and drains for as long as that takes (NodeDrain); System.CommandLine would end the
// process two seconds after the signal, with exit code 143, whatever the drain was doing.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = args is ["serve", ..] ? null : TimeSpan.FromSeconds(2) };
return await root.Parse(args).InvokeAsync(invocation);
