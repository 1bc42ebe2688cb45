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

const imageInAddress = (): number | undefined => {
  const id = /(?:^|[#&])image=(\d+)/.exec(location.hash)?.[1];
  return id === undefined ? undefined : Number(id);
};
void editor.init(imageInAddress());
// A link to another image pasted into the address bar (or Back/Forward) opens that image.
window.addEventListener('hashchange', () => {
  const id = imageInAddress();
  if (id !== undefined && id !== editor.state.image?.id) void editor.openImage(id);
});
