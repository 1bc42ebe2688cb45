import { ApiClient } from './api/client';
import { ServerEventStream } from './api/events';
import { Editor } from './editor/editor';
import { mountApp } from './ui/app';

// The server turned ?token= into an HttpOnly cookie when it served this page: drop the token
// from the address so it is not bookmarked, shared or left in the history.
const address = new URL(location.href);
if (address.searchParams.has('token')) {
  address.searchParams.delete('token');
  history.replaceState(null, '', address.toString());
}

const api = new ApiClient(new URL('.', location.href).toString());
const editor = new Editor(api);
mountApp(document.getElementById('app')!, editor);

new ServerEventStream(api.eventsUrl(), {
  onEvent: (name, data) => editor.applyServerEvent(name, data),
  onConnection: (state) => editor.setConnection(state),
}).start();

const remembered = /(?:^|[#&])image=(\d+)/.exec(location.hash)?.[1];
void editor.init(remembered === undefined ? undefined : Number(remembered));
